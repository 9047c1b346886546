// The verification bundle as Lambda runs it: built with the deployed esbuild options, imported in a
// fresh Node process with the environment CDK sets, answering a request that needs AWS (a nonce, so
// a KMS Sign): the lazily imported SDK chunks load, and credentials come from the environment.
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { CreateKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lambdaBuildOptions } from '../../infra/constructs/bundling-options.js';
import { REPOSITORY_ROOT } from '../../infra/project-root.js';
import { syntheticHttpApiEvent } from '../../local/api-gateway-event.js';
import { type RunningKmsServer, startKmsServer } from '../../local/kms/kms-server.js';
import { KmsJwsSigner } from '../../shared/adapters/kms-jws-signer.js';
import { fetchPublicJwk } from '../../shared/adapters/kms-public-keys.js';
import { PAYMENT_RESPONSE_TYP } from '../../shared/domain/settlement/payment-response.js';

const ISSUER = 'https://pay.example.test';
const EXPECTED = { merchantId: 'm_123', orderId: 'o_1', amount: { value: 1999, currency: 'USD' } };

let dir: string;
let kmsServer: RunningKmsServer;
let kms: KMSClient;
let env: Record<string, string>;
let body: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'deployed-bundle-'));
  await build({ ...lambdaBuildOptions(join(REPOSITORY_ROOT, 'functions/verification/handler.ts'), join(dir, 'bundle')), logLevel: 'error' });
  kmsServer = await startKmsServer({ dataDir: join(dir, 'kms'), port: 0 });
  kms = new KMSClient({ endpoint: kmsServer.url, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  const newKey = async () => (await kms.send(new CreateKeyCommand({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' }))).KeyMetadata!.Arn!;
  const [paymentKey, verdictKey] = [await newKey(), await newKey()];
  const token = await new KmsJwsSigner(kms, paymentKey).sign(PAYMENT_RESPONSE_TYP, {
    iss: ISSUER, jti: `pay_${'a'.repeat(43)}`, iat: Math.floor(Date.now() / 1000), ...EXPECTED, status: 'SETTLED', livemode: false,
  });
  body = JSON.stringify({ paymentResponse: token, expected: EXPECTED, nonce: 'n0nce-deployed-bundle' });
  // What CDK and Lambda set, and nothing of this shell (no profile, no credentials of its own).
  env = {
    PATH: process.env.PATH ?? '',
    NODE_OPTIONS: '--enable-source-maps',
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'ASIAEXAMPLE',
    AWS_SECRET_ACCESS_KEY: 'secret',
    AWS_SESSION_TOKEN: 'session',
    AWS_ENDPOINT_URL_KMS: kmsServer.url,
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    TRUSTED_PAYMENT_KEY_ARNS: paymentKey,
    TRUSTED_PAYMENT_PUBLIC_KEYS: JSON.stringify([await fetchPublicJwk(kms, paymentKey)]),
    VERDICT_SIGNING_KEY_ARN: verdictKey,
    LEDGER_TABLE_NAME: 'ledger',
    PAYMENT_ISSUER: ISSUER,
    HOME: dir,
  };
}, 60_000);
afterAll(async () => {
  kms?.destroy();
  await kmsServer?.close();
  await rm(dir, { recursive: true, force: true });
});

/** One invocation in a fresh process, as a new Lambda container would serve it. */
async function invokeFresh(environment: Record<string, string>): Promise<{ statusCode: number; body: Record<string, unknown>; logs: string }> {
  const event = syntheticHttpApiEvent('POST /v1/verifications', { body, headers: { 'content-type': 'application/json' } });
  const script = `
    const { handler } = await import(${JSON.stringify(pathToFileURL(join(dir, 'bundle', 'index.mjs')).href)});
    const context = { awsRequestId: 'r1', functionName: 'verification', getRemainingTimeInMillis: () => 10000 };
    const result = await handler(${JSON.stringify(event)}, context);
    process.stdout.write('RESULT ' + JSON.stringify(result) + '\\n');`;
  const { stdout, stderr } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], { env: environment });
  const result = JSON.parse(stdout.split('\n').find((line) => line.startsWith('RESULT '))!.slice(7)) as { statusCode: number; body: string };
  return { statusCode: result.statusCode, body: JSON.parse(result.body) as Record<string, unknown>, logs: `${stdout}${stderr}` };
}

describe('the deployed verification bundle', () => {
  it('verifies with the deployed key and signs a verdict through the lazily loaded SDK, credentials from the environment', async () => {
    const reply = await invokeFresh(env);
    expect(reply.statusCode).toBe(200);
    expect(reply.body).toMatchObject({ verified: true, paymentCompleted: true, reason: 'OK' });
    expect(reply.body.verdict).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
    // Beyond the test's own calls (one Sign for the token, one GetPublicKey for the deployed key):
    // the verdict's Sign, and no GetPublicKey from the function.
    expect(kmsServer.callCount('Sign')).toBe(2);
    expect(kmsServer.callCount('GetPublicKey')).toBe(1);
  }, 30_000);

  it('without credentials in the environment, answers 500 and logs why: profile and SSO sources are not bundled', async () => {
    const { AWS_ACCESS_KEY_ID: _id, AWS_SECRET_ACCESS_KEY: _secret, AWS_SESSION_TOKEN: _session, ...withoutCredentials } = env;
    const reply = await invokeFresh({ ...withoutCredentials, POWERTOOLS_LOG_LEVEL: 'ERROR' });
    expect(reply.statusCode).toBe(500);
    expect(reply.logs).toContain('profiles, SSO, credential_process and web identity are left out of it');
  }, 30_000);
});
