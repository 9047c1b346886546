import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { KMSClient } from '@aws-sdk/client-kms';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoDbMerchantRegistry } from '../shared/adapters/dynamodb-merchant-registry.js';
import { seedConfigIfEmpty } from './seed-config.js';
import { ensureSeedMerchants } from './seed-merchants.js';
import { type LocalSigningKeys, ensureSigningKeys } from './signing-keys.js';
import { ensureTable, LOCAL_TABLES } from './tables.js';

/**
 * Creates what the CDK stateful stack would (tables, signing keys), loads the seed
 * configuration into layers that have none yet and registers the seed merchants unless they
 * are there. Safe to run on every start.
 */
export async function bootstrapLocalResources(options: {
  dynamodb: DynamoDBClient;
  kms: KMSClient;
  dataDir: string;
  /** An external KMS in use (its keys are recorded apart from the embedded KMS's). */
  externalKmsEndpoint?: string;
}): Promise<LocalSigningKeys> {
  for (const table of Object.values(LOCAL_TABLES)) await ensureTable(options.dynamodb, table);
  await seedConfigIfEmpty({ dynamodb: options.dynamodb, tableName: LOCAL_TABLES.CONFIG_TABLE_NAME.TableName });
  await ensureSeedMerchants(localMerchantRegistry(options.dynamodb));
  return ensureSigningKeys(options.kms, options.dataDir, options.externalKmsEndpoint);
}

/** The merchant registry of the local stack, as `npm run merchants -- --local` sees it. */
export function localMerchantRegistry(dynamodb: DynamoDBClient): DynamoDbMerchantRegistry {
  return new DynamoDbMerchantRegistry(DynamoDBDocumentClient.from(dynamodb), LOCAL_TABLES.MERCHANT_TABLE_NAME.TableName);
}
