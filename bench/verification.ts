import { randomBytes, verify } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KMSClient } from '@aws-sdk/client-kms';
import { compactVerify, importJWK } from 'jose';
import { createVerificationHandler } from '../functions/verification/create-handler.js';
import { verificationEnvSchema } from '../functions/verification/env.js';
import { awsClientOptions } from '../shared/adapters/aws/client-options.js';
import type { PaymentResponseClaims } from '../shared/domain/settlement/payment-response.js';
import { jsonHttpHandler, jsonResponse } from '../shared/http/http-handler.js';
import { parseEnv } from '../shared/lambda-env/parse-env.js';
import { BENCH_AWS } from './support/aws.js';
import { type BenchKms, startBenchKms } from './support/kms.js';
import { type BenchHandler, benchContext, httpApiEvent } from './support/lambda-event.js';
import { median, printTable, type Row } from './table.js';

const ROUNDS = 9;
const ROUND_MS = 500;
/**
 * Distinct payment responses, minted before any timing. Every measured loop takes each token at
 * most once: one token verified over and over would flatter whatever caches sit on its path.
 */
const TOKENS = 10_000;
const ISSUER = 'https://pay.example.test';
const EXPECTED = { merchantId: 'm_123', orderId: 'o_456', amount: { value: 1999, currency: 'USD' } };

interface BenchToken {
  token: string;
  /** The request that sends it, as a client would. */
  body: string;
  headers: Record<string, string>;
  /** The token's parts as raw verification takes them, decoded before timing. */
  signingInput: Buffer;
  signature: Buffer;
}

/**
 * Verifications per second through the verification handler (an API Gateway event in, the result
 * out; warm container, keys cached, no nonce, no ledger) beside raw node:crypto ES256 verifications
 * of the same tokens on the same key, in interleaved rounds so that both see the same machine; and
 * jose's compactVerify, the alternative the handler could have used.
 */
export async function benchVerification(): Promise<Row[]> {
  const kms = await startBenchKms();
  // The handler's own clients, as its factory would make them, pointed at the local KMS; the
  // ledger is never read without checkLedger, so its client points at a port nobody listens on.
  const env = parseEnv(verificationEnvSchema, {
    TRUSTED_PAYMENT_KEY_ARNS: kms.paymentKeyArn,
    VERDICT_SIGNING_KEY_ARN: kms.verdictKeyArn,
    LEDGER_TABLE_NAME: 'ledger',
    PAYMENT_ISSUER: ISSUER,
  });
  const kmsClient = new KMSClient({ ...awsClientOptions(env), ...BENCH_AWS, endpoint: kms.url });
  const dynamodb = new DynamoDBClient({ ...awsClientOptions(env), ...BENCH_AWS, endpoint: 'http://127.0.0.1:9' });
  try {
    const handler = createVerificationHandler(env, { kms: kmsClient, dynamodb }) as unknown as BenchHandler;
    const context = benchContext('verification');
    const [coldToken, ...tokens] = await mintTokens(kms, TOKENS + 1);
    const call = (token: BenchToken) => handler(httpApiEvent('POST /v1/verifications', token), context);
    const first = await call(coldToken!); // the cold path: loads the key from KMS
    if (!first.body?.includes('"reason":"OK"')) throw new Error(`the bench token does not verify: ${first.body}`);

    const throughHandler = async (token: BenchToken) => {
      const result = await call(token);
      if (result.statusCode !== 200) throw new Error(`handler answered ${result.statusCode}`);
    };
    const rawKey = { key: kms.paymentPublicKey, dsaEncoding: 'ieee-p1363' as const };
    const raw = async (token: BenchToken) => {
      if (!verify('sha256', token.signingInput, rawKey, token.signature)) throw new Error('raw verification failed');
    };
    const cryptoKey = await importJWK(kms.paymentPublicKey.export({ format: 'jwk' }), 'ES256');
    const viaJose = async (token: BenchToken) => {
      await compactVerify(token.token, cryptoKey, { algorithms: ['ES256'] });
    };
    // The shared HTTP stack alone (middy, security headers, logger keys, JSON body), answering the
    // handler's result without verifying anything: what the stack costs apart from the rule.
    const stackResult = JSON.parse(first.body) as Record<string, unknown>;
    const stackOnly = jsonHttpHandler(async () => jsonResponse(200, stackResult, { 'cache-control': 'no-store' })) as unknown as BenchHandler;
    const throughStackAlone = async (token: BenchToken) => {
      await stackOnly(httpApiEvent('POST /v1/verifications', token), context);
    };

    const pool = tokenPool(tokens);
    // Warm-up (JIT), which also says how many calls fill a round's time for each.
    const countFor = new Map<(token: BenchToken) => Promise<void>, (ms: number) => number>();
    for (const run of [raw, throughHandler, throughStackAlone, viaJose]) {
      const warmRate = await rate(pool.next(2_000), run);
      countFor.set(run, (ms) => Math.max(100, Math.round((warmRate * ms) / 1000)));
    }
    const measure = (run: (token: BenchToken) => Promise<void>, ms: number) => rate(pool.next(countFor.get(run)!(ms)), run);

    // Each round measures the handler between two raw runs: the ratio compares like with like even
    // when other work on the machine comes and goes.
    const rates = { handler: [] as number[], raw: [] as number[], jose: [] as number[], ratio: [] as number[], stack: [] as number[] };
    for (let round = 0; round < ROUNDS; round++) {
      const rawBefore = await measure(raw, ROUND_MS / 2);
      const handlerRate = await measure(throughHandler, ROUND_MS);
      const rawAfter = await measure(raw, ROUND_MS / 2);
      rates.handler.push(handlerRate);
      rates.raw.push((rawBefore + rawAfter) / 2);
      rates.ratio.push((2 * handlerRate) / (rawBefore + rawAfter));
      rates.stack.push(await measure(throughStackAlone, ROUND_MS / 2));
    }
    // jose apart: its WebCrypto jobs and promises would otherwise leave work for the next round.
    for (let round = 0; round < ROUNDS; round++) rates.jose.push(await measure(viaJose, ROUND_MS / 2));
    const rawRate = median(rates.raw);
    const joseRate = median(rates.jose);
    const micros = (rate: number) => 1e6 / rate;
    const handlerMicros = micros(median(rates.handler));
    const rawMicros = micros(rawRate);
    const stackMicros = micros(median(rates.stack));
    const spread = (values: number[]) => `${(100 * Math.min(...values)).toFixed(0)}-${(100 * Math.max(...values)).toFixed(0)} %`;
    return [
      { name: 'verification handler (API Gateway event in, result out)', value: median(rates.handler), unit: 'verifications/s', note: `median of ${ROUNDS} rounds; warm, keys cached, no nonce, no ledger; ${TOKENS.toLocaleString('en-US')} distinct tokens` },
      { name: 'raw node:crypto ES256 verify', value: rawRate, unit: 'verifications/s', note: 'same key, distinct tokens, around each handler round' },
      { name: 'handler / raw', value: 100 * median(rates.ratio), unit: '%', note: `target >= 70 %; median of per-round ratios (range ${spread(rates.ratio)})` },
      { name: 'jose compactVerify ES256 (not used)', value: joseRate, unit: 'verifications/s', note: `${(rawRate / joseRate).toFixed(1)}x slower than node:crypto (WebCrypto, async)` },
      { name: 'time per verification: ES256 verify', value: rawMicros, unit: 'µs', note: 'raw node:crypto' },
      { name: 'time per verification: shared HTTP stack', value: stackMicros, unit: 'µs', note: 'jsonHttpHandler around a canned result' },
      { name: 'time per verification: the rest', value: handlerMicros - rawMicros - stackMicros, unit: 'µs', note: 'request schema, JWS inspection, claims, result; and the verify running colder amid them' },
    ];
  } finally {
    kmsClient.destroy();
    dynamodb.destroy();
    await kms.close();
  }
}

/** Settled payment responses for EXPECTED, each with its own payment id, as settlement signs them. */
async function mintTokens(kms: BenchKms, count: number): Promise<BenchToken[]> {
  const iat = Math.floor(Date.now() / 1000);
  const tokens: BenchToken[] = [];
  for (let i = 0; i < count; i++) {
    const claims: PaymentResponseClaims = { iss: ISSUER, jti: `pay_${randomBytes(32).toString('base64url')}`, iat, ...EXPECTED, status: 'SETTLED', livemode: false };
    const token = await kms.mintPaymentResponse(claims);
    const [header, payload, signature] = token.split('.') as [string, string, string];
    const body = JSON.stringify({ paymentResponse: token, expected: EXPECTED });
    tokens.push({
      token,
      body,
      headers: { 'content-type': 'application/json', 'content-length': String(body.length) },
      signingInput: Buffer.from(`${header}.${payload}`),
      signature: Buffer.from(signature, 'base64url'),
    });
  }
  return tokens;
}

/** Hands out the tokens in turn, wrapping around: one run never takes more than the pool, so never a token twice. */
function tokenPool(tokens: readonly BenchToken[]) {
  let cursor = 0;
  return {
    next(count: number): BenchToken[] {
      const taken = Math.min(count, tokens.length);
      const slice = [...tokens.slice(cursor, cursor + taken), ...tokens.slice(0, Math.max(0, cursor + taken - tokens.length))];
      cursor = (cursor + taken) % tokens.length;
      return slice;
    },
  };
}

/** Each token once, one call at a time, as one Lambda container serves requests: calls per second. */
async function rate(tokens: readonly BenchToken[], operation: (token: BenchToken) => Promise<void>): Promise<number> {
  const start = performance.now();
  for (const token of tokens) await operation(token);
  return (tokens.length * 1000) / (performance.now() - start);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true'; // as run.ts: Node 20 here, 22 on Lambda
  printTable('Verification throughput', await benchVerification());
}
