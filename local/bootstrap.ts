import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { KMSClient } from '@aws-sdk/client-kms';
import { seedConfigIfEmpty } from './seed-config.js';
import { type LocalSigningKeys, ensureSigningKeys } from './signing-keys.js';
import { ensureTable, LOCAL_TABLES } from './tables.js';

/**
 * Creates what the CDK stateful stack would (tables, signing keys) and loads the seed
 * configuration into layers that have none yet. Safe to run on every start.
 */
export async function bootstrapLocalResources(options: {
  dynamodb: DynamoDBClient;
  kms: KMSClient;
  dataDir: string;
}): Promise<LocalSigningKeys> {
  for (const table of Object.values(LOCAL_TABLES)) await ensureTable(options.dynamodb, table);
  await seedConfigIfEmpty({ dynamodb: options.dynamodb, tableName: LOCAL_TABLES.CONFIG_TABLE_NAME.TableName });
  return ensureSigningKeys(options.kms, options.dataDir);
}
