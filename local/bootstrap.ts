import { CreateTableCommand, type DynamoDBClient, ResourceInUseException } from '@aws-sdk/client-dynamodb';
import type { KMSClient } from '@aws-sdk/client-kms';
import { type LocalSigningKeys, ensureSigningKeys } from './signing-keys.js';
import { createTableInput, LOCAL_TABLES } from './tables.js';

/** Creates what the CDK stateful stack would: tables and signing keys. Safe to run on every start. */
export async function bootstrapLocalResources(options: {
  dynamodb: DynamoDBClient;
  kms: KMSClient;
  dataDir: string;
}): Promise<LocalSigningKeys> {
  for (const table of Object.values(LOCAL_TABLES)) {
    try {
      await options.dynamodb.send(new CreateTableCommand(createTableInput(table)));
    } catch (error) {
      if (!(error instanceof ResourceInUseException)) throw error;
    }
  }
  return ensureSigningKeys(options.kms, options.dataDir);
}
