import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KMSClient } from '@aws-sdk/client-kms';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { awsClientOptions } from '../../shared/adapters/aws/client-options.js';
import { measureAwsCalls } from '../../shared/adapters/aws/dependency-metrics.js';
import { DynamoDbDelegationRegistry } from '../../shared/adapters/dynamodb-delegation-registry.js';
import { fetchPublicJwk } from '../../shared/adapters/kms-public-keys.js';
import type { ServiceMetrics } from '../../shared/observability/service-metrics.js';
import type { JwksEnv } from './env.js';

/** The AWS clients the function uses; tests hand in their own, pointed at an emulator. */
export interface JwksClients {
  kms: KMSClient;
  dynamodb?: DynamoDBClient;
}

/**
 * Reading a public key from KMS and the delegation registry, with the SDK they need: only for a
 * key the deployment did not hand in, or for the delegated keys, so the handler imports this
 * module with `import()` when that first happens.
 */
export function jwksAwsAdapters(env: JwksEnv, metrics: ServiceMetrics, clients?: JwksClients) {
  const kms = measureAwsCalls(clients?.kms ?? new KMSClient(awsClientOptions(env)), 'KMS', metrics);
  const table = env.DELEGATION_TABLE_NAME;
  const dynamodb = table === undefined ? undefined : measureAwsCalls(clients?.dynamodb ?? new DynamoDBClient(awsClientOptions(env)), 'DynamoDB', metrics);
  return {
    fetchPublicJwk: (keyArn: string) => fetchPublicJwk(kms, keyArn),
    /** The delegation registry, where the deployment has one. */
    delegations: dynamodb && table ? new DynamoDbDelegationRegistry(DynamoDBDocumentClient.from(dynamodb), table) : undefined,
  };
}
