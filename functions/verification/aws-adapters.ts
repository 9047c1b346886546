import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KMSClient } from '@aws-sdk/client-kms';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { awsClientOptions } from '../../shared/adapters/aws/client-options.js';
import { measureAwsCalls } from '../../shared/adapters/aws/dependency-metrics.js';
import { DynamoDbLedger } from '../../shared/adapters/dynamodb-ledger.js';
import { DynamoDbDelegationRegistry } from '../../shared/adapters/dynamodb-delegation-registry.js';
import { KmsJwsSigner } from '../../shared/adapters/kms-jws-signer.js';
import { signerForMode } from '../../shared/adapters/signer-for-mode.js';
import { VERIFICATION_RESULT_TYP } from '../../shared/domain/verification/result.js';
import { fetchPublicJwk } from '../../shared/adapters/kms-public-keys.js';
import type { Logger } from '@aws-lambda-powertools/logger';
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
export function verificationAwsAdapters(env: VerificationEnv, metrics: ServiceMetrics, logger: Logger, clients?: VerificationClients) {
  const given = clients ?? { dynamodb: new DynamoDBClient(awsClientOptions(env)), kms: new KMSClient(awsClientOptions(env)) };
  const dynamodb = measureAwsCalls(given.dynamodb, 'DynamoDB', metrics);
  const kms = measureAwsCalls(given.kms, 'KMS', metrics);
  const documentClient = DynamoDBDocumentClient.from(dynamodb);
  const delegations = env.DELEGATION_TABLE_NAME === undefined ? undefined : new DynamoDbDelegationRegistry(documentClient, env.DELEGATION_TABLE_NAME);
  return {
    ledger: new DynamoDbLedger(documentClient, env.LEDGER_TABLE_NAME),
    /** Payment-response delegations are read here, verdict delegations registered; none without the table. */
    delegations,
    verdictSigner: signerForMode(env, new KmsJwsSigner(kms, env.VERDICT_SIGNING_KEY_ARN), {
      scope: VERIFICATION_RESULT_TYP,
      issuer: env.PAYMENT_ISSUER,
      // The environment schema requires the table in delegated mode.
      registry: () => delegations!,
      onDelegated: (kid, window) => logger.info('signing verdicts with a new delegated key', { kid, ...window }),
      onProblem: (message, error) => logger.warn(message, { error: error as Error }),
    }),
    fetchPublicJwk: (keyArn: string) => fetchPublicJwk(kms, keyArn),
  };
}

export type VerificationAwsAdapters = ReturnType<typeof verificationAwsAdapters>;
