import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  IdempotencyAlreadyInProgressError,
  IdempotencyConfig,
  IdempotencyValidationError,
  makeIdempotent,
} from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import type { Context } from 'aws-lambda';
import type { SettlementRequest } from '../../shared/domain/settlement-request.js';
import { IdempotencyKeyReusedError, RequestInFlightError } from '../../shared/errors.js';
import type { SettlementResult } from '../../shared/use-cases/settle-payment.js';

export interface SettlementInput {
  merchantId: string;
  idempotencyKey: string;
  request: SettlementRequest;
}

/** Keys are kept a day, as Stripe does; the ledger remembers every payment beyond that. */
export const IDEMPOTENCY_KEY_LIFETIME_SECONDS = 24 * 60 * 60;

/**
 * Powertools idempotency around the settlement use case: the key is scoped to the merchant,
 * the body is the payload that must match, failures (4xx and 5xx alike) are not stored.
 */
export function idempotentSettlement(options: {
  dynamodb: DynamoDBClient;
  tableName: string;
  settle: (input: SettlementInput) => Promise<SettlementResult>;
}) {
  const config = new IdempotencyConfig({
    eventKeyJmesPath: '[merchantId, idempotencyKey]',
    payloadValidationJmesPath: 'request',
    expiresAfterSeconds: IDEMPOTENCY_KEY_LIFETIME_SECONDS,
    hashFunction: 'sha256',
    // Only replays pass through this hook: it marks them for the Idempotent-Replayed header.
    responseHook: (response) => ({ result: response, replayed: true }) as never,
  });
  const persistenceStore = new DynamoDBPersistenceLayer({ tableName: options.tableName, awsSdkV3Client: options.dynamodb });
  const settleOnce = makeIdempotent(
    async (input: SettlementInput) => options.settle(input),
    { persistenceStore, config },
  );

  return async function settleIdempotently(
    input: SettlementInput,
    context: Context,
  ): Promise<{ result: SettlementResult; replayed: boolean }> {
    // The remaining time bounds the in-progress lock, so a crashed attempt frees its key.
    config.registerLambdaContext(context);
    try {
      const outcome = (await settleOnce(input)) as SettlementResult | { result: SettlementResult; replayed: true };
      return 'replayed' in outcome ? outcome : { result: outcome, replayed: false };
    } catch (error) {
      if (error instanceof IdempotencyValidationError) throw new IdempotencyKeyReusedError();
      if (error instanceof IdempotencyAlreadyInProgressError) throw new RequestInFlightError();
      throw error;
    }
  };
}
