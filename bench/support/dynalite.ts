import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import dynalite from 'dynalite';

const READ_OPERATIONS = new Set(['GetItem', 'BatchGetItem', 'Query', 'Scan']);

export interface CountingDynalite {
  url: string;
  /** DynamoDB read requests (GetItem, BatchGetItem, Query, Scan) the server has answered so far. */
  reads(): number;
  stop(): Promise<void>;
}

/**
 * An in-memory dynalite on a free port, in this process (stopping it stops it: no stray server).
 * Reads are counted at the HTTP server, so a bench sees how often a handler went to DynamoDB.
 */
export async function startCountingDynalite(): Promise<CountingDynalite> {
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
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    reads: () => reads,
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
