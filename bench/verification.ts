import { randomBytes, verify } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KMSClient } from '@aws-sdk/client-kms';
import middy, { type PluginExecutionMode } from '@middy/core';
import { compactVerify, importJWK } from 'jose';
import { createVerificationHandler } from '../functions/verification/create-handler.js';
import { verificationEnvSchema } from '../functions/verification/env.js';
import { awsClientOptions } from '../shared/adapters/aws/client-options.js';
import { kidOfKeyArn } from '../shared/adapters/kms-key-id.js';
import type { PaymentResponseClaims } from '../shared/domain/settlement/payment-response.js';
import { executionModeWithoutAbortSignal } from '../shared/http/execution-mode.js';
import { jsonHttpHandler, jsonResponse } from '../shared/http/http-handler.js';
import { parseEnv } from '../shared/lambda-env/parse-env.js';
import { type FunctionObservability, functionObservability } from '../shared/observability/function-observability.js';
import { METRICS } from '../shared/observability/metric-names.js';
import { ANSWER_MESSAGE, requestTelemetry } from '../shared/observability/request-telemetry.js';
import { BENCH_AWS } from './support/aws.js';
import { capturingOutput, discardingOutput, useDeployedTelemetryEnv } from './support/deployed-telemetry.js';
import { type BenchKms, startBenchKms } from './support/kms.js';
import { type BenchHandler, benchContext, httpApiEvent } from './support/lambda-event.js';
import { atLeast, printTable, type Row, summarize } from './table.js';

const ROUNDS = 9;
const ROUND_MS = 500;
/** Rounds of the repeated-token figures: shown apart, never beside a goal. */
const REPEATED_ROUNDS = 5;
/**
 * Distinct payment responses, minted before any timing. Every measured loop takes each token at
 * most once: one token verified over and over would flatter whatever caches sit on its path.
 */
const TOKENS = 10_000;
const ISSUER = 'https://pay.example.test';
const EXPECTED = { merchantId: 'm_123', orderId: 'o_456', amount: { value: 1999, currency: 'USD' } };
/** The issue's goal: the handler verifies at least this fraction of raw node:crypto's rate. */
const HANDLER_TO_RAW_GOAL = 0.85;
/** Requests whose output is read, before any timing, to say what a request writes. */
const SAMPLED_REQUESTS = 20;

interface BenchToken {
  token: string;
  /** The request that sends it, as a client would. */
  body: string;
  headers: Record<string, string>;
  /** Its payment id, which the handler logs. */
  paymentId: string;
  /** The token's parts as raw verification takes them, decoded before timing. */
  signingInput: Buffer;
  signature: Buffer;
}

type Operation = (token: BenchToken) => Promise<void>;

/** What the handler writes per request, as deployed: counted, and checked to be there. */
interface WrittenPerRequest {
  logLines: number;
  emfLines: number;
  /** EMF lines that are the request's answer record too. */
  answerRecords: number;
}

/**
 * Verifications per second through the verification handler (an API Gateway event in, the result
 * out; warm container, keys cached, no nonce, no ledger) beside raw node:crypto ES256 verifications
 * of the same tokens on the same key and jose's compactVerify (the alternative the handler could
 * have used), interleaved in every round so that all see the same machine. Then the same three on
 * one token over and over, apart: flattering figures, for comparison only.
 *
 * The handler runs with its telemetry as deployed (useDeployedTelemetryEnv): its EMF lines, the
 * answer record among them, and any log line at INFO, formatted and written; run it inside
 * `discardingOutput`, which keeps them off the terminal. It fails if a request's answer record is
 * missing.
 */
export async function benchVerification(): Promise<Array<{ title: string; rows: Row[] }>> {
  const kms = await startBenchKms();
  const { kty, crv, x, y } = kms.paymentPublicKey.export({ format: 'jwk' });
  const deployedKey = { kty, crv, x, y, kid: kidOfKeyArn(kms.paymentKeyArn), alg: 'ES256', use: 'sig' };
  const env = parseEnv(verificationEnvSchema, {
    TRUSTED_PAYMENT_KEY_ARNS: kms.paymentKeyArn,
    // As deployed: the public half in the configuration, so no request waits for KMS.
    TRUSTED_PAYMENT_PUBLIC_KEYS: JSON.stringify([deployedKey]),
    VERDICT_SIGNING_KEY_ARN: kms.verdictKeyArn,
    LEDGER_TABLE_NAME: 'ledger',
    PAYMENT_ISSUER: ISSUER,
  });
  // The handler's own clients, as its factory would make them, pointed at the local KMS (read only
  // for a key the configuration lacks); the ledger is never read without checkLedger, so its
  // client points at a port nobody listens on.
  const kmsClient = new KMSClient({ ...awsClientOptions(env), ...BENCH_AWS, endpoint: kms.url });
  const dynamodb = new DynamoDBClient({ ...awsClientOptions(env), ...BENCH_AWS, endpoint: 'http://127.0.0.1:9' });
  try {
    const handler = createVerificationHandler(env, { kms: kmsClient, dynamodb }) as unknown as BenchHandler;
    const context = benchContext('verification');
    const [firstToken, ...tokens] = await mintTokens(kms, TOKENS + 1);
    const call = (token: BenchToken) => handler(httpApiEvent('POST /v1/verifications', token), context);
    const first = await call(firstToken!); // the first request of the container
    if (!first.body?.includes('"reason":"OK"')) throw new Error(`the bench token does not verify: ${first.body}`);
    const pool = tokenPool(tokens);
    const written = await writtenPerRequest(pool.next(SAMPLED_REQUESTS), call);

    const throughHandler: Operation = async (token) => {
      const result = await call(token);
      if (result.statusCode !== 200) throw new Error(`handler answered ${result.statusCode}`);
    };
    const rawKey = { key: kms.paymentPublicKey, dsaEncoding: 'ieee-p1363' as const };
    const raw: Operation = async (token) => {
      if (!verify('sha256', token.signingInput, rawKey, token.signature)) throw new Error('raw verification failed');
    };
    const cryptoKey = await importJWK(kms.paymentPublicKey.export({ format: 'jwk' }), 'ES256');
    const viaJose: Operation = async (token) => {
      await compactVerify(token.token, cryptoKey, { algorithms: ['ES256'] });
    };
    // The shared HTTP stack alone (middy, telemetry, security headers, body limit, JSON body),
    // answering the handler's result without verifying anything, and making the handler's own
    // telemetry calls: what the stack costs apart from the rule.
    const stackResult = JSON.parse(first.body) as Record<string, unknown>;
    const answerLikeTheHandler = (observability: FunctionObservability, paymentId: string) => {
      observability.metrics.count(METRICS.verificationResults, 'OK');
      observability.keys.append({ reason: 'OK', paymentId, merchantId: EXPECTED.merchantId });
      return jsonResponse(200, stackResult, { 'cache-control': 'no-store' });
    };
    // The ids the handler would log: each request its own, as with real tokens.
    let paymentId = '';
    const stackObservability = functionObservability('verification', env);
    const stackOnly = jsonHttpHandler(stackObservability, async () => answerLikeTheHandler(stackObservability, paymentId)) as unknown as BenchHandler;
    const throughStackAlone: Operation = async (token) => {
      paymentId = token.paymentId;
      await stackOnly(httpApiEvent('POST /v1/verifications', token), context);
    };
    // The telemetry alone: its middleware and the handler's calls, beside middy with nothing.
    const telemetryObservability = functionObservability('verification', env);
    const telemetryOnly = benchMiddy()
      .use(requestTelemetry(telemetryObservability) as unknown as middy.MiddlewareObj)
      .handler(async () => answerLikeTheHandler(telemetryObservability, paymentId)) as unknown as BenchHandler;
    const bare = benchMiddy().handler(async () => jsonResponse(200, stackResult, { 'cache-control': 'no-store' })) as unknown as BenchHandler;
    const throughTelemetryAlone: Operation = async (token) => {
      paymentId = token.paymentId;
      await telemetryOnly(httpApiEvent('POST /v1/verifications', token), context);
    };
    const throughMiddyAlone: Operation = async (token) => {
      paymentId = token.paymentId;
      await bare(httpApiEvent('POST /v1/verifications', token), context);
    };

    // Warm-up (JIT), which also says how many calls fill a round's time for each.
    const operations = { raw, handler: throughHandler, jose: viaJose, stack: throughStackAlone, telemetry: throughTelemetryAlone, bare: throughMiddyAlone };
    const countFor = new Map<Operation, (ms: number) => number>();
    for (const run of Object.values(operations)) {
      const warmRate = await rate(pool.next(2_000), run);
      countFor.set(run, (ms) => Math.max(100, Math.round((warmRate * ms) / 1000)));
    }
    const distinct = (run: Operation, ms: number) => rate(pool.next(countFor.get(run)!(ms)), run);
    const distinctRounds = await interleavedRounds(ROUNDS, distinct, operations);

    const one = tokens[0]!;
    const repeated = (run: Operation, ms: number) => rate(Array.from({ length: countFor.get(run)!(ms) }, () => one), run);
    const repeatedRounds = await interleavedRounds(REPEATED_ROUNDS, repeated, operations);

    return [
      {
        title: `Verification: ${TOKENS.toLocaleString('en-US')} distinct tokens, handler, raw node:crypto and jose interleaved in each of ${ROUNDS} rounds; telemetry as deployed`,
        rows: [...verificationRows(distinctRounds, 'distinct tokens', true), writtenRow(written)],
      },
      {
        title: `Verification, FLATTERING: one token over and over (${REPEATED_ROUNDS} rounds; caches on the path see the same input every time; not for goals)`,
        rows: verificationRows(repeatedRounds, 'one token repeated (flattering)', false),
      },
    ];
  } finally {
    kmsClient.destroy();
    dynamodb.destroy();
    await kms.close();
  }
}

interface RoundRates {
  handler: number;
  /** The mean of the raw runs just before and just after the handler's. */
  raw: number;
  jose: number;
  stack: number;
  telemetry: number;
  /** The mean of the bare middy runs just before and just after the telemetry's. */
  bare: number;
}

/**
 * Each round measures the handler between two half-length raw runs, so that the ratio compares
 * like with like even when other work on the machine comes and goes, and the telemetry between
 * two bare middy runs for the same reason; jose and the stack alone run in the same round, their
 * place in it rotating from round to round.
 */
async function interleavedRounds(
  rounds: number,
  measure: (run: Operation, ms: number) => Promise<number>,
  operations: Record<keyof RoundRates, Operation>,
): Promise<RoundRates[]> {
  const results: RoundRates[] = [];
  for (let round = 0; round < rounds; round++) {
    const rates: Partial<RoundRates> = {};
    const steps: Array<() => Promise<void>> = [
      async () => {
        const before = await measure(operations.raw, ROUND_MS / 2);
        rates.handler = await measure(operations.handler, ROUND_MS);
        const after = await measure(operations.raw, ROUND_MS / 2);
        rates.raw = (before + after) / 2;
      },
      async () => {
        rates.jose = await measure(operations.jose, ROUND_MS / 2);
      },
      async () => {
        rates.stack = await measure(operations.stack, ROUND_MS / 2);
      },
      async () => {
        const before = await measure(operations.bare, ROUND_MS / 4);
        rates.telemetry = await measure(operations.telemetry, ROUND_MS / 2);
        const after = await measure(operations.bare, ROUND_MS / 4);
        rates.bare = (before + after) / 2;
      },
    ];
    for (const step of [...steps.slice(round % steps.length), ...steps.slice(0, round % steps.length)]) await step();
    results.push(rates as RoundRates);
  }
  return results;
}

function verificationRows(rounds: readonly RoundRates[], tokens: string, withGoal: boolean): Row[] {
  const of = (pick: (round: RoundRates) => number) => summarize(rounds.map(pick));
  const micros = (rate: number) => 1e6 / rate;
  const ratio = of((round) => round.handler / round.raw);
  return [
    { name: 'verification handler (API Gateway event in, result out)', ...of((r) => r.handler), unit: 'verifications/s', note: `${tokens}; warm, keys cached, no nonce, no ledger` },
    { name: 'raw node:crypto ES256 verify', ...of((r) => r.raw), unit: 'verifications/s', note: `${tokens}; same key; runs just before and after the handler's` },
    { name: 'jose compactVerify ES256 (not used)', ...of((r) => r.jose), unit: 'verifications/s', note: `${tokens}; WebCrypto, async` },
    {
      name: 'verification handler / raw node:crypto',
      ...ratio,
      unit: '×',
      ...(withGoal ? { goal: atLeast(ratio.value, HANDLER_TO_RAW_GOAL, '×') } : {}),
      note: withGoal ? 'median of per-round ratios' : 'flattering: not the goal figure, see the distinct-token table',
    },
    { name: 'jose / raw node:crypto', ...of((r) => r.jose / r.raw), unit: '×', note: 'median of per-round ratios' },
    { name: 'time per verification: ES256 verify', ...of((r) => micros(r.raw)), unit: 'µs', note: 'raw node:crypto' },
    {
      name: 'time per verification: shared HTTP stack',
      ...of((r) => micros(r.stack)),
      unit: 'µs',
      note: "jsonHttpHandler around a canned result, with the handler's telemetry calls; the row below included",
    },
    {
      name: 'time per verification: of which telemetry',
      ...of((r) => micros(r.telemetry) - micros(r.bare)),
      unit: 'µs',
      note: "as deployed, written: requestTelemetry and the handler's calls, minus bare middy",
    },
    {
      name: 'time per verification: the rest',
      ...of((r) => micros(r.handler) - micros(r.raw) - micros(r.stack)),
      unit: 'µs',
      note: 'handler minus the verify and the stack: request schema, JWS inspection, claims, result',
    },
  ];
}

/** middy as the shared stack runs it (execution-mode.ts), with no middleware of its own. */
function benchMiddy() {
  return middy({ timeoutEarlyInMillis: 0, executionMode: executionModeWithoutAbortSignal as unknown as PluginExecutionMode });
}

/**
 * The lines the handler writes for each of `tokens`' requests (Powertools writes whole lines), by
 * kind. Fails without an answer record per request: then the figures would not be those of the
 * deployed configuration (Powertools turned off by a variable useDeployedTelemetryEnv did not clear?).
 */
async function writtenPerRequest(tokens: readonly BenchToken[], call: (token: BenchToken) => Promise<unknown>): Promise<WrittenPerRequest> {
  const { lines } = await capturingOutput(async () => {
    for (const token of tokens) await call(token);
  });
  const parsed = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
  const perRequest = (kind: (line: Record<string, unknown>) => boolean) => parsed.filter(kind).length / tokens.length;
  const written = {
    logLines: perRequest((line) => typeof line.level === 'string'),
    emfLines: perRequest((line) => line._aws !== undefined),
    answerRecords: perRequest((line) => line._aws !== undefined && line.message === ANSWER_MESSAGE),
  };
  if (written.answerRecords !== 1) throw new Error(`a verification wrote ${written.answerRecords} answer records: its telemetry is not as deployed`);
  return written;
}

function writtenRow({ logLines, emfLines }: WrittenPerRequest): Row {
  return {
    name: 'telemetry lines written per verification',
    value: logLines + emfLines,
    unit: 'lines',
    note: `${emfLines} EMF (Route, with the answer record; Reason) + ${logLines} log, counted; in every figure above, written to the null device`,
  };
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
      paymentId: claims.jti,
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
  useDeployedTelemetryEnv();
  for (const { title, rows } of await discardingOutput(benchVerification)) printTable(title, rows);
}
