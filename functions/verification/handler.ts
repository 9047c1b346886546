import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KMSClient } from '@aws-sdk/client-kms';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import { awsCallTimeoutsEnvSchema, awsClientOptions } from '../../shared/adapters/aws/client-options.js';
import { DynamoDbLedger } from '../../shared/adapters/dynamodb-ledger.js';
import { KmsJwsSigner } from '../../shared/adapters/kms-jws-signer.js';
import { kidOfKeyArn } from '../../shared/adapters/kms-key-id.js';
import { KmsTrustedKeySet } from '../../shared/adapters/kms-trusted-key-set.js';
import { kmsKeyArnListSchema, kmsKeyArnSchema, parseEnv } from '../../shared/config/env.js';
import { verificationRequestSchema } from '../../shared/domain/verification/request.js';
import { jsonHttpHandler, jsonResponse } from '../../shared/http/http-handler.js';
import { parseInput } from '../../shared/http/parse.js';
import { verifyPayment } from '../../shared/use-cases/verify-payment.js';

const env = parseEnv(
  z
    .object({
      ...awsCallTimeoutsEnvSchema.shape,
      // Current key first, previous second: the trust set for payment responses.
      TRUSTED_PAYMENT_KEY_ARNS: kmsKeyArnListSchema,
      VERDICT_SIGNING_KEY_ARN: kmsKeyArnSchema,
      LEDGER_TABLE_NAME: z.string().min(1),
      PAYMENT_ISSUER: z.string().min(1),
    })
    .refine(
      (vars) => !vars.TRUSTED_PAYMENT_KEY_ARNS.map(kidOfKeyArn).includes(kidOfKeyArn(vars.VERDICT_SIGNING_KEY_ARN)),
      {
        path: ['VERDICT_SIGNING_KEY_ARN'],
        message: 'must not be one of TRUSTED_PAYMENT_KEY_ARNS: a key is trusted for one kind of token only',
      },
    ),
);

const kms = new KMSClient(awsClientOptions(env));
const deps = {
  keys: new KmsTrustedKeySet(kms, env.TRUSTED_PAYMENT_KEY_ARNS),
  ledger: new DynamoDbLedger(DynamoDBDocumentClient.from(new DynamoDBClient(awsClientOptions(env))), env.LEDGER_TABLE_NAME),
  verdictSigner: new KmsJwsSigner(kms, env.VERDICT_SIGNING_KEY_ARN),
  issuer: env.PAYMENT_ISSUER,
  now: () => new Date(),
};

/**
 * POST /v1/verifications: whatever the token, a verification result (200). Only a body that
 * is not a verification request is a 400; a failure of ours under checkLedger or a nonce is a 503.
 */
export const handler = jsonHttpHandler(async (event) => {
  const request = parseInput(verificationRequestSchema, event.jsonBody, 'verification request');
  const response = await verifyPayment(deps, request);
  return jsonResponse(200, response, { 'cache-control': 'no-store' });
});
