import { KMSClient } from '@aws-sdk/client-kms';
import { awsClientOptions } from '../../shared/adapters/aws/client-options.js';
import { measureAwsCalls } from '../../shared/adapters/aws/dependency-metrics.js';
import { KmsJwsSigner } from '../../shared/adapters/kms-jws-signer.js';
import type { ServiceMetrics } from '../../shared/observability/service-metrics.js';
import type { ConfigEnv } from './env.js';

/**
 * The config signing key in KMS, with the KMS client it needs. A container signs an answer once
 * per configuration version (and renews it rarely), so the handler imports this module with
 * `import()` on its first signature: the bundle keeps the KMS client in a chunk of its own, and
 * a cold start loads none of it. `kms` is for tests, pointed at an emulator.
 */
export function configSigner(env: ConfigEnv, metrics: ServiceMetrics, kms?: KMSClient): KmsJwsSigner {
  return new KmsJwsSigner(measureAwsCalls(kms ?? new KMSClient(awsClientOptions(env)), 'KMS', metrics), env.CONFIG_SIGNING_KEY_ARN);
}
