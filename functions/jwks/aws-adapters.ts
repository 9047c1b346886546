import { KMSClient } from '@aws-sdk/client-kms';
import { awsClientOptions } from '../../shared/adapters/aws/client-options.js';
import { measureAwsCalls } from '../../shared/adapters/aws/dependency-metrics.js';
import { fetchPublicJwk } from '../../shared/adapters/kms-public-keys.js';
import type { ServiceMetrics } from '../../shared/observability/service-metrics.js';
import type { JwksEnv } from './env.js';

/** The AWS clients the function uses; tests hand in their own, pointed at an emulator. */
export interface JwksClients {
  kms: KMSClient;
}

/**
 * Reading a public key from KMS, with the SDK it needs: only for a key the deployment did not
 * hand in, so the handler imports this module with `import()` when that first happens.
 */
export function jwksAwsAdapters(env: JwksEnv, metrics: ServiceMetrics, clients?: JwksClients) {
  const kms = measureAwsCalls(clients?.kms ?? new KMSClient(awsClientOptions(env)), 'KMS', metrics);
  return { fetchPublicJwk: (keyArn: string) => fetchPublicJwk(kms, keyArn) };
}
