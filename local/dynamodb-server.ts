import { mkdirSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import dynalite from 'dynalite';
import { type Listening, listen } from './listen.js';

export type RunningDynamoDb = Listening;

/**
 * dynalite in-process, on LevelDB under `<dataDir>/dynamodb` so data survives a restart.
 * In-process rather than through npx: stopping npx would leave the server running.
 */
export async function startDynamoDb(options: { dataDir: string; port?: number; host?: string }): Promise<RunningDynamoDb> {
  const path = join(options.dataDir, 'dynamodb');
  mkdirSync(path, { recursive: true });
  const server = dynalite({ path, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  return listen(server, options.port, options.host);
}

const READ_OPERATIONS = new Set(['GetItem', 'BatchGetItem', 'Query', 'Scan']);

export interface CountingDynamoDb {
  url: string;
  /** DynamoDB read requests (GetItem, BatchGetItem, Query, Scan) the server has received. */
  reads(): number;
  /** Stops answering at once, dropping kept-alive connections too, as an outage would. */
  stop(): Promise<void>;
}

/**
 * An in-memory dynalite on a free port, for tests and benches. Reads are counted at the HTTP
 * server, so a caller sees how often code with its own client (a handler) went to DynamoDB.
 */
export async function startCountingDynamoDb(): Promise<CountingDynamoDb> {
  const server: Server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  let reads = 0;
  server.on('request', (request) => {
    const operation = String(request.headers['x-amz-target'] ?? '').split('.')[1] ?? '';
    if (READ_OPERATIONS.has(operation)) reads += 1;
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  let stopped = false;
  return {
    url: `http://127.0.0.1:${port}`,
    reads: () => reads,
    stop: async () => {
      if (stopped) return;
      stopped = true;
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
