import { KMSClient } from '@aws-sdk/client-kms';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { expect, it } from 'vitest';
import { createVerificationHandler } from '../../functions/verification/create-handler.js';
import { verificationEnvSchema } from '../../functions/verification/env.js';
import { parseEnv } from '../../shared/lambda-env/parse-env.js';

const arn = (id: string, region = 'us-east-1') => `arn:aws:kms:${region}:111122223333:key/${id}`;
const CURRENT = arn('0f1d7c2a-1111-4a4a-9b9b-000000000001');
const PREVIOUS = arn('0f1d7c2a-1111-4a4a-9b9b-000000000002');
const VERDICT = arn('0f1d7c2a-1111-4a4a-9b9b-000000000003');

const valid = {
  TRUSTED_PAYMENT_KEY_ARNS: `${CURRENT},${PREVIOUS}`,
  VERDICT_SIGNING_KEY_ARN: VERDICT,
  LEDGER_TABLE_NAME: 'ledger',
  PAYMENT_ISSUER: 'https://pay.example.test',
};

/** What a cold start does with an environment: parse the contract, then build the handler. */
function coldStart(env: Record<string, string | undefined>) {
  const unreachable = { endpoint: 'http://127.0.0.1:9', region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } };
  return createVerificationHandler(parseEnv(verificationEnvSchema, { ...valid, ...env }), {
    kms: new KMSClient(unreachable),
    dynamodb: new DynamoDBClient(unreachable),
  });
}

it('starts with a valid configuration, even while KMS is unreachable', () => {
  expect(coldStart({})).toBeTypeOf('function');
});

it('fails the cold start when the verdict key is also a trusted payment key', () => {
  expect(() => coldStart({ VERDICT_SIGNING_KEY_ARN: PREVIOUS })).toThrow(/VERDICT_SIGNING_KEY_ARN: must not be one of/);
  // The kid is what a token names: the same key id under another ARN spelling is the same key.
  expect(() => coldStart({ VERDICT_SIGNING_KEY_ARN: CURRENT.replace('us-east-1', 'eu-west-1') })).toThrow(/VERDICT_SIGNING_KEY_ARN/);
});

it('fails the cold start naming each missing or malformed variable', () => {
  expect(() => coldStart({ PAYMENT_ISSUER: undefined, TRUSTED_PAYMENT_KEY_ARNS: 'alias/payments' })).toThrow(
    /TRUSTED_PAYMENT_KEY_ARNS.*must be a KMS key ARN.*PAYMENT_ISSUER/s,
  );
  expect(() => coldStart({ TRUSTED_PAYMENT_KEY_ARNS: ' , ' })).toThrow(/TRUSTED_PAYMENT_KEY_ARNS/);
});
