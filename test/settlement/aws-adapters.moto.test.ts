import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KMSClient } from '@aws-sdk/client-kms';
import { afterAll, beforeAll, describe } from 'vitest';
import { startMoto } from '../support/moto.js';
import { settlementAdaptersContract } from './aws-adapters-contract.js';

// moto_server: a second, independent implementation of DynamoDB and KMS (required under CI=true).
const moto = await startMoto();

describe.runIf(moto !== undefined)('settlement adapters against moto_server', () => {
  const credentials = { accessKeyId: 'testing', secretAccessKey: 'testing' };
  let clients: { kms: KMSClient; dynamodb: DynamoDBClient };

  beforeAll(() => {
    clients = {
      kms: new KMSClient({ endpoint: moto!.url, region: 'us-east-1', credentials }),
      dynamodb: new DynamoDBClient({ endpoint: moto!.url, region: 'us-east-1', credentials }),
    };
  });
  afterAll(async () => {
    clients?.kms.destroy();
    clients?.dynamodb.destroy();
    await moto?.stop();
  });

  settlementAdaptersContract(() => clients, { concurrentConditionalWrites: false });
});
