import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KMSClient } from '@aws-sdk/client-kms';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { awsClientOptions } from '../../shared/adapters/aws/client-options.js';
import { measureAwsCalls } from '../../shared/adapters/aws/dependency-metrics.js';
import { DynamoDbLedger } from '../../shared/adapters/dynamodb-ledger.js';
import { KmsJwsSigner } from '../../shared/adapters/kms-jws-signer.js';
import { fetchPublicJwk } from '../../shared/adapters/kms-public-keys.js';
import type { ServiceMetrics } from '../../shared/observability/service-metrics.js';
import type { VerificationEnv } from './env.js';

/** The AWS clients the function uses; tests hand in their own, pointed at an emulator. */
export interface VerificationClients {
  dynamodb: DynamoDBClient;
  kms: KMSClient;
}

/**
 * Everything of verification that calls AWS, with the SDK it needs. The handler imports this
 * module with `import()` on the first request that needs it (checkLedger, a nonce, or a key the
 * deployment did not hand in), so the bundle keeps it in a chunk of its own and a container that
 * only checks signatures never loads the SDK.
 */
export function verificationAwsAdapters(env: VerificationEnv, metrics: ServiceMetrics, clients?: VerificationClients) {
  const given = clients ?? { dynamodb: new DynamoDBClient(awsClientOptions(env)), kms: new KMSClient(awsClientOptions(env)) };
  const dynamodb = measureAwsCalls(given.dynamodb, 'DynamoDB', metrics);
  const kms = measureAwsCalls(given.kms, 'KMS', metrics);
  return {
    ledger: new DynamoDbLedger(DynamoDBDocumentClient.from(dynamodb), env.LEDGER_TABLE_NAME),
    verdictSigner: new KmsJwsSigner(kms, env.VERDICT_SIGNING_KEY_ARN),
    fetchPublicJwk: (keyArn: string) => fetchPublicJwk(kms, keyArn),
  };
}
