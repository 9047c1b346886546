import { KMSClient } from '@aws-sdk/client-kms';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createVerificationHandler } from '../../functions/verification/create-handler.js';
import { verificationEnvSchema } from '../../functions/verification/env.js';
import { kidOfKeyArn } from '../../shared/adapters/kms-key-id.js';
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

describe('the public keys the deployment hands in (TRUSTED_PAYMENT_PUBLIC_KEYS)', () => {
  const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const jwk = (kid: string) => ({ ...publicKey.export({ format: 'jwk' }), kid, alg: 'ES256', use: 'sig' });

  it('takes a JSON array of the keys\' JWKs; empty (as `sam local invoke --env-vars` clears it) means none', () => {
    expect(coldStart({ TRUSTED_PAYMENT_PUBLIC_KEYS: JSON.stringify([jwk(kidOfKeyArn(CURRENT))]) })).toBeTypeOf('function');
    expect(coldStart({ TRUSTED_PAYMENT_PUBLIC_KEYS: '' })).toBeTypeOf('function');
  });

  it('fails the cold start on what is not JSON, not a P-256 JWK, or a key outside the trust set', () => {
    expect(() => coldStart({ TRUSTED_PAYMENT_PUBLIC_KEYS: '{' })).toThrow(/TRUSTED_PAYMENT_PUBLIC_KEYS: must be JSON: an array of public JWKs/);
    expect(() => coldStart({ TRUSTED_PAYMENT_PUBLIC_KEYS: JSON.stringify([{ ...jwk(kidOfKeyArn(CURRENT)), crv: 'P-384' }]) })).toThrow(
      /TRUSTED_PAYMENT_PUBLIC_KEYS\.0\.crv/,
    );
    expect(() => coldStart({ TRUSTED_PAYMENT_PUBLIC_KEYS: JSON.stringify([jwk(kidOfKeyArn(VERDICT))]) })).toThrow(/not one of the set's keys/);
  });
});

