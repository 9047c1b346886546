import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KMSClient } from '@aws-sdk/client-kms';
import { afterAll, beforeAll, describe } from 'vitest';
import { type RunningDynamoDb, startDynamoDb } from '../../local/dynamodb-server.js';
import { type RunningKmsServer, startKmsServer } from '../../local/kms/kms-server.js';
import { settlementAdaptersContract } from './aws-adapters-contract.js';

describe('settlement adapters against the local stack (dynalite and the local KMS endpoint)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'signed-pay-adapters-'));
  const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
  let dynamo: RunningDynamoDb;
  let kmsServer: RunningKmsServer;
  let clients: { kms: KMSClient; dynamodb: DynamoDBClient };

  beforeAll(async () => {
    dynamo = await startDynamoDb({ dataDir });
    kmsServer = await startKmsServer({ dataDir });
    clients = {
      kms: new KMSClient({ endpoint: kmsServer.url, region: 'us-east-1', credentials }),
      dynamodb: new DynamoDBClient({ endpoint: dynamo.url, region: 'us-east-1', credentials }),
    };
  });
  afterAll(async () => {
    clients?.kms.destroy();
    clients?.dynamodb.destroy();
    await dynamo?.close();
    await kmsServer?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  settlementAdaptersContract(() => clients);
});
