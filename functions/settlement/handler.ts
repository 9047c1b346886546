import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KMSClient } from '@aws-sdk/client-kms';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import { awsCallTimeoutsEnvSchema, awsClientOptions } from '../../shared/adapters/aws/client-options.js';
import { CachedMerchantDirectory } from '../../shared/adapters/cached-merchant-directory.js';
import { DynamoDbLedger } from '../../shared/adapters/dynamodb-ledger.js';
import { DynamoDbMerchantRegistry } from '../../shared/adapters/dynamodb-merchant-registry.js';
import { KmsJwsSigner } from '../../shared/adapters/kms-jws-signer.js';
import { PAYMENT_PROCESSORS } from '../../shared/adapters/sandbox-payment-processor.js';
import { kmsKeyArnSchema, parseEnv } from '../../shared/config/env.js';
import { idempotencyKeySchema } from '../../shared/domain/identifiers.js';
import { settlementRequestSchema } from '../../shared/domain/settlement-request.js';
import { callerIdOfEvent } from '../../shared/http/caller-identity.js';
import { jsonHttpHandler, jsonResponse } from '../../shared/http/http-handler.js';
import { parseInput } from '../../shared/http/parse.js';
import { settlePayment } from '../../shared/use-cases/settle-payment.js';

const env = parseEnv(
  z.object({
    ...awsCallTimeoutsEnvSchema.shape,
    PAYMENT_SIGNING_KEY_ARN: kmsKeyArnSchema,
    PAYMENT_ISSUER: z.string().min(1),
    LEDGER_TABLE_NAME: z.string().min(1),
    MERCHANT_TABLE_NAME: z.string().min(1),
    PAYMENT_PROCESSOR: z.enum(Object.keys(PAYMENT_PROCESSORS) as [keyof typeof PAYMENT_PROCESSORS]),
    // With a JWT authorizer, the claim that (with `iss`) names the caller in the merchant registry.
    CALLER_JWT_CLAIM: z.string().min(1).default('sub'),
    MERCHANT_CACHE_TTL_SECONDS: z.coerce.number().int().min(0).default(30),
  }),
);

const documentClient = DynamoDBDocumentClient.from(new DynamoDBClient(awsClientOptions(env)));
const deps = {
  merchants: new CachedMerchantDirectory(
    new DynamoDbMerchantRegistry(documentClient, env.MERCHANT_TABLE_NAME),
    env.MERCHANT_CACHE_TTL_SECONDS * 1000,
  ),
  processor: PAYMENT_PROCESSORS[env.PAYMENT_PROCESSOR](),
  signer: new KmsJwsSigner(new KMSClient(awsClientOptions(env)), env.PAYMENT_SIGNING_KEY_ARN),
  ledger: new DynamoDbLedger(documentClient, env.LEDGER_TABLE_NAME),
  issuer: env.PAYMENT_ISSUER,
  now: () => new Date(),
};

/** POST /v1/settlements: parse, settle once per (caller's merchant, Idempotency-Key), answer 201 (settled) or 402 (declined). */
export const handler = jsonHttpHandler(async (event, context) => {
  const idempotencyKey = parseInput(idempotencyKeySchema, event.headers['idempotency-key'], 'Idempotency-Key header', 'Idempotency-Key');
  const request = parseInput(settlementRequestSchema, event.jsonBody, 'settlement request');
  const { result, replayed } = await settlePayment(deps, {
    callerId: callerIdOfEvent(event, env.CALLER_JWT_CLAIM),
    request,
    idempotencyKey,
    // The invocation has ended by its deadline; only then may a retry resume this payment.
    lockExpiresAt: Date.now() + context.getRemainingTimeInMillis(),
  });
  return jsonResponse(result.status === 'SETTLED' ? 201 : 402, result, {
    'cache-control': 'no-store',
    ...(replayed ? { 'idempotent-replayed': 'true' } : {}),
  });
});
