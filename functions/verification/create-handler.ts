import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KMSClient } from '@aws-sdk/client-kms';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { awsClientOptions } from '../../shared/adapters/aws/client-options.js';
import { DynamoDbLedger } from '../../shared/adapters/dynamodb-ledger.js';
import { KmsJwsSigner } from '../../shared/adapters/kms-jws-signer.js';
import { KmsKeySet } from '../../shared/adapters/kms-key-set.js';
import { verificationRequestSchema } from '../../shared/domain/verification/request.js';
import { jsonHttpHandler, jsonResponse } from '../../shared/http/http-handler.js';
import { logger } from '../../shared/observability/logger.js';
import { parseInput } from '../../shared/http/parse.js';
import { verifyPayment } from '../../shared/use-cases/verify-payment.js';
import type { VerificationEnv } from './env.js';

/** The AWS clients the function uses; tests hand in their own, pointed at an emulator. */
export function verificationClients(env: VerificationEnv) {
  return { dynamodb: new DynamoDBClient(awsClientOptions(env)), kms: new KMSClient(awsClientOptions(env)) };
}

/**
 * POST /v1/verifications: whatever the token, a verification result (200). Only a body that
 * is not a verification request is a 400; a failure of ours under checkLedger or a nonce is a 503.
 */
export function createVerificationHandler(env: VerificationEnv, clients = verificationClients(env)) {
  const deps = {
    keys: new KmsKeySet(clients.kms, env.TRUSTED_PAYMENT_KEY_ARNS, {
      onLoadFailure: (kid, error) => logger.error('could not load a trusted payment key', { kid, error: error as Error }),
    }),
    ledger: new DynamoDbLedger(DynamoDBDocumentClient.from(clients.dynamodb), env.LEDGER_TABLE_NAME),
    verdictSigner: new KmsJwsSigner(clients.kms, env.VERDICT_SIGNING_KEY_ARN),
    issuer: env.PAYMENT_ISSUER,
    now: () => new Date(),
  };

  return jsonHttpHandler(async (event) => {
    const request = parseInput(verificationRequestSchema, event.jsonBody, 'verification request');
    const response = await verifyPayment(deps, request);
    return jsonResponse(200, response, { 'cache-control': 'no-store' });
  });
}
