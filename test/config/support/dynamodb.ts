import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import dynalite from 'dynalite';
import { ensureTable, LOCAL_TABLES } from '../../../local/tables.js';

export const TEST_REGION = 'us-east-1';
export const TEST_CREDENTIALS = { accessKeyId: 'test', secretAccessKey: 'test' };

/** The config table as the stateful stack defines it: pk and sk, both strings, nothing else. */
export async function createConfigTable(client: DynamoDBClient, tableName: string): Promise<void> {
  await ensureTable(client, { ...LOCAL_TABLES.CONFIG_TABLE_NAME, TableName: tableName });
}

export function testClients(url: string) {
  const client = new DynamoDBClient({ endpoint: url, region: TEST_REGION, credentials: TEST_CREDENTIALS });
  return { client, documentClient: DynamoDBDocumentClient.from(client) };
}

const READ_OPERATIONS = new Set(['GetItem', 'BatchGetItem', 'Query', 'Scan']);

export interface CountingDynalite {
  url: string;
  /** DynamoDB read requests (GetItem, BatchGetItem, Query, Scan) the server has received. */
  reads(): number;
  /** Stops answering at once, dropping kept-alive connections too, as an outage would. */
  stop(): Promise<void>;
}

/**
 * An in-memory dynalite on a free port. Reads are counted at the HTTP server, so a test can
 * see how often code it does not control (a handler module with its own client) went to DynamoDB.
 */
export async function startDynalite(): Promise<CountingDynalite> {
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
