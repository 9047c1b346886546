import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe } from 'vitest';
import { startMoto } from '../support/moto.js';
import { delegationRegistryContract } from './registry-contract.js';

// moto_server: a second, independent implementation of DynamoDB (required under CI=true).
const moto = await startMoto();

describe.runIf(moto !== undefined)('the delegation registry on moto_server', () => {
  let client: DynamoDBClient;
  beforeAll(() => {
    client = new DynamoDBClient({ endpoint: moto!.url, region: 'us-east-1', credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } });
  });
  afterAll(async () => {
    client?.destroy();
    await moto?.stop();
  });
  delegationRegistryContract(() => client);
});
