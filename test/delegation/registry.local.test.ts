import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe } from 'vitest';
import { type CountingDynamoDb, startCountingDynamoDb } from '../../local/dynamodb-server.js';
import { delegationRegistryContract } from './registry-contract.js';

describe('the delegation registry on dynalite', () => {
  let dynalite: CountingDynamoDb;
  let client: DynamoDBClient;
  beforeAll(async () => {
    dynalite = await startCountingDynamoDb();
    client = new DynamoDBClient({ endpoint: dynalite.url, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  });
  afterAll(async () => {
    client?.destroy();
    await dynalite?.stop();
  });
  delegationRegistryContract(() => client);
});
