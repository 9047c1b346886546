import { afterEach, beforeEach, expect, it, vi } from 'vitest';

const arn = (id: string, region = 'us-east-1') => `arn:aws:kms:${region}:111122223333:key/${id}`;
const CURRENT = arn('0f1d7c2a-1111-4a4a-9b9b-000000000001');
const PREVIOUS = arn('0f1d7c2a-1111-4a4a-9b9b-000000000002');
const VERDICT = arn('0f1d7c2a-1111-4a4a-9b9b-000000000003');

const valid = {
  AWS_REGION: 'us-east-1',
  TRUSTED_PAYMENT_KEY_ARNS: `${CURRENT},${PREVIOUS}`,
  VERDICT_SIGNING_KEY_ARN: VERDICT,
  LEDGER_TABLE_NAME: 'ledger',
  PAYMENT_ISSUER: 'https://pay.example.test',
};
let saved: NodeJS.ProcessEnv;

beforeEach(() => {
  saved = { ...process.env };
  vi.resetModules();
});
afterEach(() => {
  process.env = saved;
});

async function coldStart(env: Record<string, string | undefined>) {
  process.env = { ...saved, ...valid, ...env };
  return import('../../functions/verification/handler.js');
}

it('starts with a valid configuration, even while KMS is unreachable', async () => {
  await expect(coldStart({ AWS_ENDPOINT_URL_KMS: 'http://127.0.0.1:9' })).resolves.toHaveProperty('handler');
});

it('fails the cold start when the verdict key is also a trusted payment key', async () => {
  await expect(coldStart({ VERDICT_SIGNING_KEY_ARN: PREVIOUS })).rejects.toThrow(/VERDICT_SIGNING_KEY_ARN: must not be one of/);
  // The kid is what a token names: the same key id under another ARN spelling is the same key.
  await expect(coldStart({ VERDICT_SIGNING_KEY_ARN: CURRENT.replace('us-east-1', 'eu-west-1') })).rejects.toThrow(
    /VERDICT_SIGNING_KEY_ARN/,
  );
});

it('fails the cold start naming each missing or malformed variable', async () => {
  await expect(coldStart({ PAYMENT_ISSUER: undefined, TRUSTED_PAYMENT_KEY_ARNS: 'alias/payments' })).rejects.toThrow(
    /TRUSTED_PAYMENT_KEY_ARNS.*must be a KMS key ARN.*PAYMENT_ISSUER/s,
  );
  await expect(coldStart({ TRUSTED_PAYMENT_KEY_ARNS: ' , ' })).rejects.toThrow(/TRUSTED_PAYMENT_KEY_ARNS/);
});
