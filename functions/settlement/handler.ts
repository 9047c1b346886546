import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KMSClient } from '@aws-sdk/client-kms';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import { DynamoDbLedger } from '../../shared/adapters/dynamodb-ledger.js';
import { KmsJwsSigner } from '../../shared/adapters/kms-jws-signer.js';
import { SandboxPaymentProcessor } from '../../shared/adapters/sandbox-payment-processor.js';
import { kmsKeyArnSchema, parseEnv } from '../../shared/config/env.js';
import { idempotencyKeySchema } from '../../shared/domain/identifiers.js';
import { settlementRequestSchema } from '../../shared/domain/settlement-request.js';
import { jsonHttpHandler, jsonResponse } from '../../shared/http/http-handler.js';
import { parseInput } from '../../shared/http/parse.js';
import { settlePayment } from '../../shared/use-cases/settle-payment.js';
import { idempotentSettlement } from './idempotent-settlement.js';

const env = parseEnv(
  z.object({
    PAYMENT_SIGNING_KEY_ARN: kmsKeyArnSchema,
    PAYMENT_ISSUER: z.string().min(1),
    LEDGER_TABLE_NAME: z.string().min(1),
    IDEMPOTENCY_TABLE_NAME: z.string().min(1),
  }),
);

const dynamodb = new DynamoDBClient({});
const deps = {
  processor: new SandboxPaymentProcessor(),
  signer: new KmsJwsSigner(new KMSClient({}), env.PAYMENT_SIGNING_KEY_ARN),
  ledger: new DynamoDbLedger(DynamoDBDocumentClient.from(dynamodb), env.LEDGER_TABLE_NAME),
  issuer: env.PAYMENT_ISSUER,
  now: () => new Date(),
};
const settleOnce = idempotentSettlement({
  dynamodb,
  tableName: env.IDEMPOTENCY_TABLE_NAME,
  settle: (input) => settlePayment(deps, input.request, input.idempotencyKey),
});

/** POST /v1/settlements: parse, settle once per Idempotency-Key, answer 201 (settled) or 402 (declined). */
export const handler = jsonHttpHandler(async (event, context) => {
  const idempotencyKey = parseInput(idempotencyKeySchema, event.headers['idempotency-key'], 'Idempotency-Key header', 'Idempotency-Key');
  const request = parseInput(settlementRequestSchema, event.jsonBody, 'settlement request');
  const { result, replayed } = await settleOnce({ merchantId: request.merchantId, idempotencyKey, request }, context);
  return jsonResponse(result.status === 'SETTLED' ? 201 : 402, result, {
    'cache-control': 'no-store',
    ...(replayed ? { 'idempotent-replayed': 'true' } : {}),
  });
});
