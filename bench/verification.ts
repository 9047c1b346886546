import { createPublicKey, verify } from 'node:crypto';
import { ISSUER, paymentClaims } from '../test/verification/verification-stack.js';
import { httpApiEvent } from '../test/support/http-api-event.js';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CreateKeyCommand, GetPublicKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { compactVerify, importSPKI } from 'jose';
import { startKmsServer } from '../local/kms/kms-server.js';
import { KmsJwsSigner } from '../shared/adapters/kms-jws-signer.js';
import { jsonHttpHandler, jsonResponse } from '../shared/http/http-handler.js';
import { PAYMENT_RESPONSE_TYP } from '../shared/domain/payment-response.js';
import { median, printTable, type Row } from './table.js';

const ROUNDS = 9;
const ROUND_MS = 500;

type Handler = (event: APIGatewayProxyEventV2, context: Context) => Promise<APIGatewayProxyStructuredResultV2>;

/**
 * Verifications per second through the verification handler (an API Gateway event in, the result
 * out; warm container, keys cached, no nonce, no ledger) beside raw node:crypto ES256 verifications
 * of the same token on the same key, in interleaved rounds so that both see the same machine; and
 * jose's compactVerify, the alternative the handler could have used.
 */
export async function benchVerification(): Promise<Row[]> {
  const dataDir = await mkdtemp(join(tmpdir(), 'bench-verification-'));
  const kmsServer = await startKmsServer({ dataDir, port: 0 });
  const kms = new KMSClient({ endpoint: kmsServer.url, region: 'us-east-1', credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' } });
  const savedEnv = { ...process.env };
  try {
    const createKey = async () =>
      (await kms.send(new CreateKeyCommand({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' }))).KeyMetadata!.Arn!;
    const paymentKeyArn = await createKey();
    const verdictKeyArn = await createKey();
    const token = await new KmsJwsSigner(kms, paymentKeyArn).sign(PAYMENT_RESPONSE_TYP, paymentClaims());
    const handler = await importHandler({
      AWS_ENDPOINT_URL_KMS: kmsServer.url,
      TRUSTED_PAYMENT_KEY_ARNS: paymentKeyArn,
      VERDICT_SIGNING_KEY_ARN: verdictKeyArn,
      LEDGER_TABLE_NAME: 'ledger',
      PAYMENT_ISSUER: ISSUER,
    });

    const body = JSON.stringify({ paymentResponse: token, expected: { merchantId: 'm_123', orderId: 'o_456', amount: { value: 1999, currency: 'USD' } } });
    const headers = { 'content-type': 'application/json', 'content-length': String(body.length) };
    const context = { awsRequestId: 'bench', getRemainingTimeInMillis: () => 30_000 } as Context;
    const throughHandler = async () => {
      const result = await handler(httpApiEvent('POST /v1/verifications', { body, headers }), context);
      if (result.statusCode !== 200) throw new Error(`handler answered ${result.statusCode}`);
    };
    const first = await handler(httpApiEvent('POST /v1/verifications', { body, headers }), context); // the cold path: loads the key from KMS
    if (!first.body?.includes('"reason":"OK"')) throw new Error(`the bench token does not verify: ${first.body}`);

    const { PublicKey } = await kms.send(new GetPublicKeyCommand({ KeyId: paymentKeyArn }));
    const publicKey = createPublicKey({ key: Buffer.from(PublicKey!), format: 'der', type: 'spki' });
    const [headerPart, payloadPart, signaturePart] = token.split('.') as [string, string, string];
    const signingInput = Buffer.from(`${headerPart}.${payloadPart}`);
    const signature = Buffer.from(signaturePart, 'base64url');
    const rawKey = { key: publicKey, dsaEncoding: 'ieee-p1363' as const };
    const raw = async () => {
      if (!verify('sha256', signingInput, rawKey, signature)) throw new Error('raw verification failed');
    };
    const cryptoKey = await importSPKI(publicKey.export({ format: 'pem', type: 'spki' }).toString(), 'ES256');
    const viaJose = async () => {
      await compactVerify(token, cryptoKey, { algorithms: ['ES256'] });
    };

    // The shared HTTP stack alone (middy, security headers, logger keys, JSON body), answering the
    // handler's result without verifying anything: what the stack costs apart from the rule.
    const stackResult = JSON.parse(first.body) as Record<string, unknown>;
    const stackOnly = jsonHttpHandler(async () => jsonResponse(200, stackResult, { 'cache-control': 'no-store' })) as unknown as Handler;
    const throughStackAlone = async () => {
      await stackOnly(httpApiEvent('POST /v1/verifications', { body, headers }), context);
    };

    for (const run of [raw, throughHandler, throughStackAlone, viaJose]) await opsPerSecond(run, 300); // warm-up, JIT
    // Each round measures the handler between two raw runs: the ratio compares like with like even
    // when other work on the machine comes and goes.
    const rates = { handler: [] as number[], raw: [] as number[], jose: [] as number[], ratio: [] as number[], stack: [] as number[] };
    for (let round = 0; round < ROUNDS; round++) {
      const rawBefore = await opsPerSecond(raw, ROUND_MS / 2);
      const handlerRate = await opsPerSecond(throughHandler, ROUND_MS);
      const rawAfter = await opsPerSecond(raw, ROUND_MS / 2);
      rates.handler.push(handlerRate);
      rates.raw.push((rawBefore + rawAfter) / 2);
      rates.ratio.push((2 * handlerRate) / (rawBefore + rawAfter));
      rates.stack.push(await opsPerSecond(throughStackAlone, ROUND_MS / 2));
    }
    // jose apart: its WebCrypto jobs and promises would otherwise leave work for the next round.
    for (let round = 0; round < ROUNDS; round++) rates.jose.push(await opsPerSecond(viaJose, ROUND_MS / 2));
    const rawRate = median(rates.raw);
    const joseRate = median(rates.jose);
    const micros = (rate: number) => 1e6 / rate;
    const handlerMicros = micros(median(rates.handler));
    const rawMicros = micros(rawRate);
    const stackMicros = micros(median(rates.stack));
    const spread = (values: number[]) => `${(100 * Math.min(...values)).toFixed(0)}-${(100 * Math.max(...values)).toFixed(0)} %`;
    return [
      { name: 'verification handler (API Gateway event in, result out)', value: median(rates.handler), unit: 'verifications/s', note: `median of ${ROUNDS} rounds; warm, keys cached, no nonce, no ledger` },
      { name: 'raw node:crypto ES256 verify', value: rawRate, unit: 'verifications/s', note: 'same token and key, around each handler round' },
      { name: 'handler / raw', value: 100 * median(rates.ratio), unit: '%', note: `target >= 70 %; median of per-round ratios (range ${spread(rates.ratio)})` },
      { name: 'jose compactVerify ES256 (not used)', value: joseRate, unit: 'verifications/s', note: `${(rawRate / joseRate).toFixed(1)}x slower than node:crypto (WebCrypto, async)` },
      { name: 'time per verification: ES256 verify', value: rawMicros, unit: 'µs', note: 'raw node:crypto' },
      { name: 'time per verification: shared HTTP stack', value: stackMicros, unit: 'µs', note: 'jsonHttpHandler around a canned result' },
      { name: 'time per verification: the rest', value: handlerMicros - rawMicros - stackMicros, unit: 'µs', note: 'request schema, JWS inspection, claims, result; and the verify running colder amid them' },
    ];
  } finally {
    process.env = savedEnv; // the SDK reads region and endpoint lazily: only now is the handler done with them
    kms.destroy();
    await kmsServer.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}

/** Imports the handler as a container would, with its configuration in the environment. */
async function importHandler(vars: Record<string, string>): Promise<Handler> {
  Object.assign(process.env, {
    ...vars,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'bench',
    AWS_SECRET_ACCESS_KEY: 'bench',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    POWERTOOLS_LOG_LEVEL: 'WARN',
  });
  return (await import('../functions/verification/handler.js')).handler as unknown as Handler;
}


/** Sequential calls for `durationMs`, one at a time, as one Lambda container serves requests. */
async function opsPerSecond(operation: () => Promise<void>, durationMs: number): Promise<number> {
  const start = performance.now();
  let count = 0;
  let elapsed = 0;
  while (elapsed < durationMs) {
    for (let i = 0; i < 50; i++) await operation();
    count += 50;
    elapsed = performance.now() - start;
  }
  return (count * 1000) / elapsed;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  printTable('Verification throughput', await benchVerification());
}
