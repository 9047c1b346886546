import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KMSClient } from '@aws-sdk/client-kms';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { awsClientOptions } from '../../shared/adapters/aws/client-options.js';
import { measureAwsCalls } from '../../shared/adapters/aws/dependency-metrics.js';
import { CachedMerchantDirectory } from '../../shared/adapters/cached-merchant-directory.js';
import { DynamoDbLedger } from '../../shared/adapters/dynamodb-ledger.js';
import { DynamoDbMerchantRegistry } from '../../shared/adapters/dynamodb-merchant-registry.js';
import { DynamoDbDelegationRegistry } from '../../shared/adapters/dynamodb-delegation-registry.js';
import { KmsJwsSigner } from '../../shared/adapters/kms-jws-signer.js';
import { signerForMode } from '../../shared/adapters/signer-for-mode.js';
import { PAYMENT_PROCESSORS } from '../../shared/adapters/sandbox-payment-processor.js';
import { idempotencyKeySchema } from '../../shared/domain/identifiers.js';
import { PAYMENT_RESPONSE_TYP } from '../../shared/domain/settlement/payment-response.js';
import { settlementRequestSchema } from '../../shared/domain/settlement/settlement-request.js';
import { callerIdOfEvent } from '../../shared/http/caller-identity.js';
import { jsonHttpHandler, jsonResponse } from '../../shared/http/http-handler.js';
import { parseInput } from '../../shared/http/parse.js';
import { functionObservability } from '../../shared/observability/function-observability.js';
import { METRICS } from '../../shared/observability/metric-names.js';
import { settlePayment } from '../../shared/use-cases/settle-payment.js';
import type { SettlementEnv } from './env.js';

/** The AWS clients the function uses; tests hand in their own, pointed at an emulator. */
export function settlementClients(env: SettlementEnv) {
  return { dynamodb: new DynamoDBClient(awsClientOptions(env)), kms: new KMSClient(awsClientOptions(env)) };
}

/** POST /v1/settlements: parse, settle once per (caller's merchant, Idempotency-Key), answer 201 (settled) or 402 (declined). */
export function createSettlementHandler(env: SettlementEnv, clients = settlementClients(env)) {
  const observability = functionObservability('settlement', env);
  const { logger, metrics, keys } = observability;
  const documentClient = DynamoDBDocumentClient.from(measureAwsCalls(clients.dynamodb, 'DynamoDB', metrics));
  const deps = {
    merchants: new CachedMerchantDirectory(
      new DynamoDbMerchantRegistry(documentClient, env.MERCHANT_TABLE_NAME),
      env.MERCHANT_CACHE_TTL_SECONDS * 1000,
    ),
    processor: PAYMENT_PROCESSORS[env.PAYMENT_PROCESSOR](),
    signer: signerForMode(env, new KmsJwsSigner(measureAwsCalls(clients.kms, 'KMS', metrics), env.PAYMENT_SIGNING_KEY_ARN), {
      scope: PAYMENT_RESPONSE_TYP,
      issuer: env.PAYMENT_ISSUER,
      // The environment schema requires the table in delegated mode.
      registry: () => new DynamoDbDelegationRegistry(documentClient, env.DELEGATION_TABLE_NAME!),
      onDelegated: (kid, window) => logger.info('signing payment responses with a new delegated key', { kid, ...window }),
      onProblem: (message, error) => logger.warn(message, { error: error as Error }),
    }),
    ledger: new DynamoDbLedger(documentClient, env.LEDGER_TABLE_NAME),
    issuer: env.PAYMENT_ISSUER,
    now: () => new Date(),
  };

  return jsonHttpHandler(observability, async (event, context) => {
    const idempotencyKey = parseInput(idempotencyKeySchema, event.headers['idempotency-key'], 'Idempotency-Key header', 'Idempotency-Key');
    const request = parseInput(settlementRequestSchema, event.jsonBody, 'settlement request');
    // The merchant the body names: refused later if it is not the caller's, and worth seeing then too.
    keys.append({ merchantId: request.merchantId });
    const { result, replayed } = await settlePayment(deps, {
      callerId: callerIdOfEvent(event, env.CALLER_JWT_CLAIM),
      request,
      idempotencyKey,
      // The invocation has ended by its deadline; only then may a retry resume this payment.
      lockExpiresAt: Date.now() + context.getRemainingTimeInMillis(),
    });
    keys.append({ paymentId: result.paymentId, paymentStatus: result.status, replayed });
    metrics.count(METRICS.settlements, result.status);
    return jsonResponse(result.status === 'SETTLED' ? 201 : 402, result, {
      'cache-control': 'no-store',
      ...(replayed ? { 'idempotent-replayed': 'true' } : {}),
    });
  });
}
