import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { startCountingDynamoDb } from '../../../local/dynamodb-server.js';
import { seedConfigLayers } from '../../../local/seed-config.js';
import { ensureTable, LOCAL_TABLES } from '../../../local/tables.js';
import { DynamoDbConfigStore } from '../../../shared/adapters/dynamodb-config-store.js';

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

// The counting in-memory dynalite is the local stack's, shared with the benches.
export { type CountingDynamoDb as CountingDynalite, startCountingDynamoDb as startDynalite } from '../../../local/dynamodb-server.js';

/** A counting in-memory dynalite holding the seed config layers, as the config function tests start from. */
export async function startSeededConfigStore() {
  const dynalite = await startCountingDynamoDb();
  const clients = testClients(dynalite.url);
  await createConfigTable(clients.client, 'config');
  const store = new DynamoDbConfigStore(clients.documentClient, 'config');
  await seedConfigLayers(store);
  return {
    dynalite,
    clients,
    store,
    async stop() {
      clients.client.destroy();
      await dynalite.stop();
    },
  };
}
