import { randomBytes } from 'node:crypto';
import { setTimeout as pause } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KMSClient } from '@aws-sdk/client-kms';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { createSettlementHandler } from '../functions/settlement/create-handler.js';
import { settlementEnvSchema } from '../functions/settlement/env.js';
import { createVerificationHandler } from '../functions/verification/create-handler.js';
import { verificationEnvSchema } from '../functions/verification/env.js';
import { lambdaContext, withJwtAuthorizer } from '../local/api-gateway-event.js';
import { ensureTable, LOCAL_TABLES } from '../local/tables.js';
import { type AwsCallTimeouts, awsClientOptions } from '../shared/adapters/aws/client-options.js';
import { DynamoDbMerchantRegistry } from '../shared/adapters/dynamodb-merchant-registry.js';
import { kidOfKeyArn } from '../shared/adapters/kms-key-id.js';
import { SIGNING_MODES, type SigningMode } from '../shared/domain/delegation/delegation.js';
import { callerIdOf } from '../shared/domain/merchants/caller-identity.js';
import type { PaymentResponseClaims } from '../shared/domain/settlement/payment-response.js';
import { PROBLEM_CONTENT_TYPE } from '../shared/http/problem.js';
import { parseEnv } from '../shared/lambda-env/parse-env.js';
import { BENCH_AWS } from './support/aws.js';
import { type CountingEndpoint, startCountingEndpoint } from './support/counting-endpoint.js';
import { discardingOutput, useDeployedTelemetryEnv } from './support/deployed-telemetry.js';
import { type DynaliteProcess, startDynaliteProcess } from './support/dynalite-process.js';
import { type BenchHandler, httpApiEvent } from './support/lambda-event.js';
import { type BenchKms, startBenchKms } from './support/kms.js';
import { atLeast, exactly, printTable, type Row, summarize } from './table.js';

/** The account's KMS quota as issue 13 states it: Sign requests a second, above which KMS throttles. */
const KMS_SIGNS_PER_SECOND = 50;
/** Function instances per mode, each its own factory call with its own SDK clients, as Lambda containers. */
const CONTAINERS = 4;
/** Requests in flight at every moment of a run, spread round-robin over a mode's containers. */
const IN_FLIGHT = 32;
const ROUNDS = 5;
const RUN_MS = 1_500;
/**
 * An untimed run of delegated mode before the rounds, for the JIT (of the code both modes share,
 * too). kms mode gets none: bound by the quota, it would only add its seconds of retries.
 */
const WARM_UP_MS = 500;
/** The functions' timeout (infra/constructs/api-function.ts): each request's deadline, as on Lambda. */
const FUNCTION_TIMEOUT_MS = 10_000;
/** The issue's goal: delegated mode signs at least this many times what kms mode does, in the same run. */
const RATIO_GOAL = 10;
/**
 * The inputs a run may take are made before its clock starts: for twice the answers a second of
 * the mode's last run, or of this rate before its first.
 */
const FIRST_RUN_RATE_CEILING = 4_000;
const ISSUER = 'https://pay.bench.example';
/** The caller as a JWT authorizer names it, registered for the bench merchant (as bench/settlement.ts). */
const CALLER = { issuer: 'https://idp.bench.example', subject: 'shop-backend' };
const MERCHANT_ID = 'm_bench';
const EXPECTED = { merchantId: MERCHANT_ID, orderId: 'o_bench', amount: { value: 1999, currency: 'USD' } };

type Mode = SigningMode;
type Answer = { statusCode?: number; headers?: Record<string, unknown>; body?: string };

/** One function under test, in both modes: how to start a container and what to send it. */
interface Workload {
  functionId: string;
  /** What a signed answer is, in the rows: `settlements`, `verdicts`. */
  noun: string;
  /** The same, one of them. */
  one: string;
  /** The statuses of a signed answer, as the rows name them. */
  signedStatuses: string;
  /** The problem type of a 503 when the signer is unavailable. */
  unavailableType: string;
  /** The kid of the root KMS key that signs in kms mode (and certifies delegations). */
  rootKid: string;
  container(mode: Mode): BenchHandler;
  /** Makes, outside the timed runs, the inputs of at least `requests` more requests. */
  prepare(requests: number): Promise<void>;
  /** A request never sent before (unless prepare was told too few: then afterword says so). */
  request(): APIGatewayProxyEventV2;
  /** A signed answer (201/402, or 200 with a verdict): cheap, it runs on every answer. */
  isSigned(answer: Answer): boolean;
  /** The token the answer carries, for the kid check of each container's first answer. */
  tokenOf(answer: Answer): string | undefined;
  /** What each request is made of, for the notes. */
  inputs: string;
  /** A note for the table, once the runs are over (e.g. inputs sent twice). */
  afterword(): string | undefined;
}

interface Tally {
  answers: number;
  signed: number;
  /** 503 of the signer's problem type, with Retry-After and a problem+json body: what a client can act on. */
  cleanUnavailable: number;
  uncleanUnavailable: number;
  internal: number;
  /** Any other status, by status. */
  other: Map<number, number>;
  retryAfterSeconds: Set<string>;
  /** Milliseconds from sending to each clean 503. */
  unavailableMs: number[];
}

interface Run {
  /** Signed answers completed inside the run's time, per second. */
  rate: number;
  /** Every answer, its last ones included, per second from the start to the last. */
  answersPerSecond: number;
  tally: Tally;
  /** Requests the KMS endpoint received during the run and until its last answer, retries and throttled ones included. */
  kmsRequests: number;
  throttled: number;
  /** CPU time of this process (every container's handler, the SDK clients, the local KMS, the bench loop), per signed answer. */
  cpuMsPerSigned: number;
  /** Cores kept busy from the start of the run to its last answer: this process, and dynalite's. */
  benchCores: number;
  dynaliteCores: number;
}

type Round = Record<Mode, Run>;

interface Measured {
  rounds: Round[];
  /** KMS requests of each mode's containers' first requests (in delegated mode, their delegations). */
  firstRequestKms: Record<Mode, number>;
}

/** What the runs read off the emulators. */
interface Meter {
  kmsRequests(): number;
  throttled(): number;
  dynaliteCpu(): Promise<NodeJS.CpuUsage>;
}

/**
 * Issue 13: settlements and signed verdicts per second in the default `kms` signing mode (one KMS
 * Sign per token) beside `delegated` mode (one KMS Sign per container per delegation), against ONE
 * local KMS that throttles Sign above the quota, interleaved in every round. The real handlers
 * (middy stack, telemetry as deployed, ledger, delegation registry) run in this process, several
 * containers per mode with their own SDK clients; dynalite runs in a process of its own so that it
 * does not bound both modes alike. Each request has its own deadline of the function's timeout,
 * within which the SDK retries throttled calls (standard mode): a 503 here is what a client sees.
 */
export async function benchDelegatedSigning(): Promise<Array<{ title: string; rows: Row[] }>> {
  const clients: Array<{ destroy(): void }> = [];
  let dynamodb: DynaliteProcess | undefined;
  let kms: BenchKms | undefined;
  let kmsDoor: CountingEndpoint | undefined;
  try {
    dynamodb = await startDynaliteProcess();
    kms = await startBenchKms({ requestsPerSecond: KMS_SIGNS_PER_SECOND });
    kmsDoor = await startCountingEndpoint(kms.url);
    const setup = new DynamoDBClient({ ...BENCH_AWS, endpoint: dynamodb.url });
    clients.push(setup);
    for (const table of [LOCAL_TABLES.LEDGER_TABLE_NAME, LOCAL_TABLES.MERCHANT_TABLE_NAME, LOCAL_TABLES.DELEGATION_TABLE_NAME]) await ensureTable(setup, table);
    const registry = new DynamoDbMerchantRegistry(DynamoDBDocumentClient.from(setup), LOCAL_TABLES.MERCHANT_TABLE_NAME.TableName);
    await registry.add({ merchantId: MERCHANT_ID, mode: 'test', status: 'active', callers: [callerIdOf({ kind: 'jwt', ...CALLER })!] });

    const door = kmsDoor;
    const throttledKms = kms;
    const meter: Meter = {
      kmsRequests: () => [...door.calls().values()].reduce((sum, count) => sum + count, 0),
      throttled: () => throttledKms.throttled(),
      dynaliteCpu: dynamodb.cpuUsage,
    };
    const endpoints = { dynamodb: dynamodb.url, kms: door.url };
    const containerClients = (timeouts: AwsCallTimeouts) => {
      const own = {
        dynamodb: new DynamoDBClient({ ...awsClientOptions(timeouts), ...BENCH_AWS, endpoint: endpoints.dynamodb }),
        kms: new KMSClient({ ...awsClientOptions(timeouts), ...BENCH_AWS, endpoint: endpoints.kms }),
      };
      clients.push(own.dynamodb, own.kms);
      return own;
    };

    const settlement = settlementWorkload(kms, containerClients);
    const settled = await measure(settlement, meter);
    // The settlement runs' Signs leave the quota's one-second window before the verdicts meet it.
    await pause(1_000);
    const verdicts = await verdictWorkload(kms, containerClients);
    const verified = await measure(verdicts, meter);
    const title = (workload: Workload) =>
      `Signing beyond the KMS quota (issue 13): ${workload.noun} per second, kms vs delegated signing mode, KMS throttling Sign above ${KMS_SIGNS_PER_SECOND}/s; ` +
      `${CONTAINERS} containers per mode, ${IN_FLIGHT} requests in flight, ${ROUNDS} rounds of ${RUN_MS / 1000} s per mode, interleaved`;
    return [
      { title: title(settlement), rows: rowsOf(settlement, settled) },
      { title: title(verdicts), rows: rowsOf(verdicts, verified) },
    ];
  } finally {
    for (const client of clients) client.destroy();
    await kmsDoor?.close();
    await kms?.close();
    await dynamodb?.stop();
  }
}

type ContainerClients = (timeouts: AwsCallTimeouts) => { dynamodb: DynamoDBClient; kms: KMSClient };

/** POST /v1/settlements, each request a new payment with its own Idempotency-Key and order, from the registered caller. */
function settlementWorkload(kms: BenchKms, containerClients: ContainerClients): Workload {
  const envOf = (mode: Mode) =>
    parseEnv(settlementEnvSchema, {
      PAYMENT_SIGNING_KEY_ARN: kms.paymentKeyArn,
      PAYMENT_ISSUER: ISSUER,
      LEDGER_TABLE_NAME: LOCAL_TABLES.LEDGER_TABLE_NAME.TableName,
      MERCHANT_TABLE_NAME: LOCAL_TABLES.MERCHANT_TABLE_NAME.TableName,
      PAYMENT_PROCESSOR: 'sandbox',
      // Bound in both modes, as deployed (verifiers read it either way): the mode is the one difference.
      DELEGATION_TABLE_NAME: LOCAL_TABLES.DELEGATION_TABLE_NAME.TableName,
      SIGNING_MODE: mode,
    });
  const claims = { iss: CALLER.issuer, sub: CALLER.subject };
  const run = randomBytes(6).toString('base64url');
  let sent = 0;
  return {
    functionId: 'settlement',
    noun: 'settlements',
    one: 'settlement',
    signedStatuses: '201/402',
    unavailableType: 'signing-unavailable',
    rootKid: kidOfKeyArn(kms.paymentKeyArn),
    container: (mode) => {
      const env = envOf(mode);
      return createSettlementHandler(env, containerClients(env)) as unknown as BenchHandler;
    },
    request: () => {
      const n = (sent += 1);
      const body = JSON.stringify({ ...EXPECTED, orderId: `o_${run}_${n}`, paymentMethod: { type: 'card', token: 'tok_success' } });
      const event = httpApiEvent('POST /v1/settlements', { headers: { 'content-type': 'application/json', 'idempotency-key': `bench-${run}-${n}` }, body });
      return withJwtAuthorizer(event, claims);
    },
    isSigned: (answer) => (answer.statusCode === 201 || answer.statusCode === 402) && answer.body?.includes('"paymentResponse":"') === true,
    tokenOf: (answer) => (JSON.parse(answer.body ?? '{}') as { paymentResponse?: string }).paymentResponse,
    inputs: 'Idempotency-Key and order; the merchant from the container cache',
    prepare: async () => undefined,
    afterword: () => undefined,
  };
}

/** POST /v1/verifications with a nonce: each request a payment response never sent before, and its own nonce. */
async function verdictWorkload(kms: BenchKms, containerClients: ContainerClients): Promise<Workload> {
  const { kty, crv, x, y } = kms.paymentPublicKey.export({ format: 'jwk' });
  const deployedKey = { kty, crv, x, y, kid: kidOfKeyArn(kms.paymentKeyArn), alg: 'ES256', use: 'sig' };
  const envOf = (mode: Mode) =>
    parseEnv(verificationEnvSchema, {
      TRUSTED_PAYMENT_KEY_ARNS: kms.paymentKeyArn,
      // As deployed: the public half in the configuration, so checking a token asks KMS nothing.
      TRUSTED_PAYMENT_PUBLIC_KEYS: JSON.stringify([deployedKey]),
      VERDICT_SIGNING_KEY_ARN: kms.verdictKeyArn,
      LEDGER_TABLE_NAME: LOCAL_TABLES.LEDGER_TABLE_NAME.TableName,
      PAYMENT_ISSUER: ISSUER,
      DELEGATION_TABLE_NAME: LOCAL_TABLES.DELEGATION_TABLE_NAME.TableName,
      SIGNING_MODE: mode,
    });
  const tokens: string[] = [];
  const run = randomBytes(6).toString('base64url');
  let sent = 0;
  return {
    functionId: 'verification',
    noun: 'verdicts',
    one: 'verdict',
    signedStatuses: '200 OK with a verdict',
    unavailableType: 'verdict-unavailable',
    rootKid: kidOfKeyArn(kms.verdictKeyArn),
    container: (mode) => {
      const env = envOf(mode);
      return createVerificationHandler(env, containerClients(env)) as unknown as BenchHandler;
    },
    request: () => {
      const n = sent;
      sent += 1;
      const body = JSON.stringify({ paymentResponse: tokens[n % tokens.length]!, expected: EXPECTED, nonce: `nonce-${run}-${n}` });
      return httpApiEvent('POST /v1/verifications', { headers: { 'content-type': 'application/json' }, body });
    },
    // Every token sent is valid and as expected: any other reason is a fault of the bench, counted apart.
    isSigned: (answer) => answer.statusCode === 200 && answer.body?.includes('"reason":"OK"') === true && answer.body.includes('"verdict":"'),
    tokenOf: (answer) => (JSON.parse(answer.body ?? '{}') as { verdict?: string }).verdict,
    inputs: 'payment response (minted before the run, with the payment key) and nonce',
    prepare: async (requests) => {
      const missing = sent + requests - tokens.length;
      if (missing > 0) await mintPaymentResponses(kms, missing, tokens);
    },
    afterword: () =>
      sent > tokens.length
        ? `${(sent - tokens.length).toLocaleString('en-US')} requests reused a payment response (each with a new nonce): prepare more`
        : undefined,
  };
}

/** Appends `count` payment responses for EXPECTED as settlement signs them, each its own payment id, minted with the key in this process. */
async function mintPaymentResponses(kms: BenchKms, count: number, tokens: string[]): Promise<void> {
  const iat = Math.floor(Date.now() / 1000);
  for (let i = 0; i < count; i++) {
    const claims: PaymentResponseClaims = { iss: ISSUER, jti: `pay_${randomBytes(32).toString('base64url')}`, iat, ...EXPECTED, status: 'SETTLED', livemode: false };
    tokens.push(await kms.mintPaymentResponse(claims));
  }
}

/**
 * Starts CONTAINERS containers per mode and sends each its first request (checking that it signs
 * as its mode says), warms delegated mode up, then runs ROUNDS rounds, each mode once per round, the
 * one that goes first alternating from round to round.
 */
async function measure(workload: Workload, meter: Meter): Promise<Measured> {
  const containers = {} as Record<Mode, BenchHandler[]>;
  const firstRequestKms = {} as Record<Mode, number>;
  for (const mode of SIGNING_MODES) {
    containers[mode] = Array.from({ length: CONTAINERS }, () => workload.container(mode));
    await workload.prepare(CONTAINERS);
    const before = meter.kmsRequests();
    const firsts = await Promise.all(containers[mode].map((handler) => call(workload, handler)));
    firstRequestKms[mode] = meter.kmsRequests() - before;
    for (const { answer } of firsts) checkSignedAsItsMode(workload, mode, answer);
  }
  const lastRate: Partial<Record<Mode, number>> = {};
  const run = async (mode: Mode, ms: number) => {
    await workload.prepare(Math.ceil((2 * (lastRate[mode] ?? FIRST_RUN_RATE_CEILING) * ms) / 1000) + IN_FLIGHT);
    const result = await runFor(workload, containers[mode], ms, meter);
    lastRate[mode] = result.answersPerSecond;
    return result;
  };
  await run('delegated', WARM_UP_MS);

  const rounds: Round[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const order = round % 2 === 0 ? SIGNING_MODES : [...SIGNING_MODES].reverse();
    const runs = {} as Round;
    for (const mode of order) runs[mode] = await run(mode, RUN_MS);
    rounds.push(runs);
  }
  return { rounds, firstRequestKms };
}

async function call(workload: Workload, handler: BenchHandler): Promise<{ answer: Answer; ms: number }> {
  const event = workload.request();
  const sent = performance.now();
  const answer = (await handler(event, lambdaContext(workload.functionId, FUNCTION_TIMEOUT_MS))) as Answer;
  return { answer, ms: performance.now() - sent };
}

/** A container's first answer is signed, by the root key in kms mode and by another (its delegated key) in delegated mode. */
function checkSignedAsItsMode(workload: Workload, mode: Mode, answer: Answer): void {
  const token = workload.isSigned(answer) ? workload.tokenOf(answer) : undefined;
  if (!token) throw new Error(`a ${mode}-mode ${workload.functionId} container's first request answered ${answer.statusCode}: ${answer.body}`);
  const { kid } = JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString('utf8')) as { kid?: string };
  if ((kid === workload.rootKid) !== (mode === 'kms')) throw new Error(`a ${mode}-mode ${workload.functionId} container signed with kid ${kid}`);
}

/**
 * IN_FLIGHT requests at every moment for `ms`, each answer followed at once by a new request (a
 * 503 too: the client is busy, not polite), then the requests in flight at the end are awaited
 * and tallied, outside the rate.
 */
async function runFor(workload: Workload, handlers: readonly BenchHandler[], ms: number, meter: Meter): Promise<Run> {
  const tally: Tally = { answers: 0, signed: 0, cleanUnavailable: 0, uncleanUnavailable: 0, internal: 0, other: new Map(), retryAfterSeconds: new Set(), unavailableMs: [] };
  const before = { kmsRequests: meter.kmsRequests(), throttled: meter.throttled(), dynaliteCpu: await meter.dynaliteCpu(), cpu: process.cpuUsage() };
  let turn = 0;
  let signedInTime = 0;
  const start = performance.now();
  const end = start + ms;
  const client = async () => {
    while (performance.now() < end) {
      const { answer, ms: took } = await call(workload, handlers[turn++ % handlers.length]!);
      const inTime = performance.now() <= end;
      tally.answers += 1;
      if (workload.isSigned(answer)) {
        tally.signed += 1;
        if (inTime) signedInTime += 1;
      } else if (answer.statusCode === 503) {
        const retryAfter = cleanRetryAfter(answer, workload.unavailableType);
        if (retryAfter === undefined) {
          tally.uncleanUnavailable += 1;
        } else {
          tally.cleanUnavailable += 1;
          tally.retryAfterSeconds.add(retryAfter);
          tally.unavailableMs.push(took);
        }
      } else if (answer.statusCode === 500) {
        tally.internal += 1;
      } else {
        const status = answer.statusCode ?? 200;
        tally.other.set(status, (tally.other.get(status) ?? 0) + 1);
      }
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, client));
  const wallMs = performance.now() - start;
  const cpuMs = millisecondsOf(process.cpuUsage(before.cpu));
  const dynaliteCpuMs = millisecondsOf(await meter.dynaliteCpu()) - millisecondsOf(before.dynaliteCpu);
  return {
    rate: signedInTime / (ms / 1000),
    answersPerSecond: tally.answers / (wallMs / 1000),
    tally,
    kmsRequests: meter.kmsRequests() - before.kmsRequests,
    throttled: meter.throttled() - before.throttled,
    cpuMsPerSigned: cpuMs / Math.max(1, tally.signed),
    benchCores: cpuMs / wallMs,
    dynaliteCores: dynaliteCpuMs / wallMs,
  };
}

function millisecondsOf({ user, system }: NodeJS.CpuUsage): number {
  return (user + system) / 1000;
}

/** The Retry-After of a 503 a client can act on (problem+json of the expected type, Retry-After in seconds above 0), else undefined. */
function cleanRetryAfter(answer: Answer, problemType: string): string | undefined {
  const headers = Object.fromEntries(Object.entries(answer.headers ?? {}).map(([name, value]) => [name.toLowerCase(), String(value)]));
  const retryAfter = headers['retry-after'];
  if (headers['content-type'] !== PROBLEM_CONTENT_TYPE || retryAfter === undefined || !/^[1-9]\d*$/.test(retryAfter)) return undefined;
  let problem: { type?: unknown; status?: unknown };
  try {
    problem = JSON.parse(answer.body ?? '') as typeof problem;
  } catch {
    return undefined;
  }
  return problem.type === `/problems/${problemType}` && problem.status === 503 ? retryAfter : undefined;
}

function rowsOf(workload: Workload, { rounds, firstRequestKms }: Measured): Row[] {
  const { noun } = workload;
  const total = (mode: Mode, pick: (tally: Tally) => number) => rounds.reduce((sum, round) => sum + pick(round[mode].tally), 0);
  const sumOf = (mode: Mode, pick: (run: Run) => number) => rounds.reduce((sum, round) => sum + pick(round[mode]), 0);
  const rate = (mode: Mode) => summarize(rounds.map((round) => round[mode].rate));
  const ratio = summarize(rounds.map((round) => round.delegated.rate / round.kms.rate));
  const perThousand = (mode: Mode) => summarize(rounds.map((round) => (1000 * round[mode].kmsRequests) / Math.max(1, round[mode].tally.signed)));
  const fiveHundreds = total('kms', (tally) => tally.internal);
  const unclean = total('kms', (tally) => tally.uncleanUnavailable);
  const delegatedServerErrors = total('delegated', serverErrors);
  const retryAfters = [...new Set(rounds.flatMap((round) => [...round.kms.tally.retryAfterSeconds]))].join(', ');
  const timesToUnavailable = rounds.map((round) => round.kms.tally.unavailableMs).filter((times) => times.length > 0);
  const afterword = workload.afterword();
  return [
    {
      name: `kms mode: ${noun}/s`,
      ...rate('kms'),
      unit: `${noun}/s`,
      note:
        `signed answers completed within each run (above ${KMS_SIGNS_PER_SECOND}/s when it begins with the quota's last second unused); ` +
        `each request its own ${workload.inputs}; the SDK retries a throttled Sign (standard mode, 3 attempts) within the ${FUNCTION_TIMEOUT_MS / 1000} s function deadline`,
    },
    { name: `delegated mode: ${noun}/s`, ...rate('delegated'), unit: `${noun}/s`, note: 'signed in each container with its ephemeral key; same KMS, same rounds' },
    {
      name: `delegated / kms: ${noun}/s`,
      ...ratio,
      unit: '×',
      goal: atLeast(ratio.value, RATIO_GOAL, '×'),
      note: `median of per-round ratios${afterword ? `; ${afterword}` : ''}`,
    },
    { name: `kms mode: ${workload.one} 500s`, value: fiveHundreds, unit: 'answers', goal: exactly(fiveHundreds, 0), note: `of ${statusText(workload, rounds, 'kms')}` },
    {
      name: `kms mode: ${workload.one} 503s without Retry-After or problem+json`,
      value: unclean,
      unit: 'answers',
      goal: exactly(unclean, 0),
      note: `each other 503 is /problems/${workload.unavailableType} with Retry-After: ${retryAfters || '-'}`,
    },
    ...(timesToUnavailable.length > 0
      ? [
          {
            name: `kms mode: time to a ${workload.one} 503`,
            ...summarize(timesToUnavailable.map(median)),
            unit: 'ms',
            note: "median of each run's 503s: the SDK's backoff and retries of throttled Signs, then the answer",
          },
        ]
      : []),
    {
      name: `delegated mode: ${workload.one} 5xx answers`,
      value: delegatedServerErrors,
      unit: 'answers',
      goal: exactly(delegatedServerErrors, 0),
      note: `of ${statusText(workload, rounds, 'delegated')}`,
    },
    {
      name: `kms mode: KMS calls per 1,000 ${noun}`,
      ...perThousand('kms'),
      unit: 'calls',
      note: 'every request the local KMS received (retries and throttled ones included), per signed answer',
    },
    {
      name: `delegated mode: KMS calls per 1,000 ${noun}`,
      ...perThousand('delegated'),
      unit: 'calls',
      note:
        `in the rounds; each container's first request made its delegation (${firstRequestKms.delegated} KMS calls for ${CONTAINERS} containers), ` +
        'renewed when a quarter of its hour is left: one Sign per container per 45 min',
    },
    {
      name: `kms mode: KMS requests throttled (${noun})`,
      value: sumOf('kms', (run) => run.throttled),
      unit: 'requests',
      note: `of ${sumOf('kms', (run) => run.kmsRequests).toLocaleString('en-US')} KMS requests in ${ROUNDS} runs of ${RUN_MS / 1000} s (and their last answers)`,
    },
    {
      name: `delegated mode: KMS requests throttled (${noun})`,
      value: sumOf('delegated', (run) => run.throttled),
      unit: 'requests',
      note: `of ${sumOf('delegated', (run) => run.kmsRequests)} KMS requests`,
    },
    {
      name: `delegated mode: bench process CPU per ${workload.one}`,
      ...summarize(rounds.map((round) => round.delegated.cpuMsPerSigned)),
      unit: 'ms',
      note: `every container's handler and SDK clients, the local KMS and the bench loop; kms mode: ${cpuText(rounds, 'kms', (run) => run.cpuMsPerSigned)} ms (503s included)`,
    },
    {
      name: `delegated mode: cores busy, bench process (${noun})`,
      ...summarize(rounds.map((round) => round.delegated.benchCores)),
      unit: 'cores',
      note:
        `one event loop for all ${CONTAINERS} containers; dynalite's process: ${cpuText(rounds, 'delegated', (run) => run.dynaliteCores)}; ` +
        `kms mode: ${cpuText(rounds, 'kms', (run) => run.benchCores)} and ${cpuText(rounds, 'kms', (run) => run.dynaliteCores)}`,
    },
  ];
}

/** `0.25 (0.21–0.30)`: a median of a mode's runs with its spread, for a note. */
function cpuText(rounds: readonly Round[], mode: Mode, pick: (run: Run) => number): string {
  const { value, spread } = summarize(rounds.map((round) => pick(round[mode])));
  return `${value.toFixed(2)} (${spread})`;
}

function serverErrors(tally: Tally): number {
  return tally.cleanUnavailable + tally.uncleanUnavailable + tally.internal + [...tally.other].reduce((sum, [status, count]) => sum + (status >= 500 ? count : 0), 0);
}

/** `12,345 answers: 201/402 1,200 · 503 11,145 · 500 0`, over all rounds of a mode. */
function statusText(workload: Workload, rounds: readonly Round[], mode: Mode): string {
  const total = (pick: (tally: Tally) => number) => rounds.reduce((sum, round) => sum + pick(round[mode].tally), 0);
  const count = (value: number) => value.toLocaleString('en-US');
  const other = new Map<number, number>();
  for (const round of rounds) for (const [status, n] of round[mode].tally.other) other.set(status, (other.get(status) ?? 0) + n);
  const parts = [
    `${workload.signedStatuses} ${count(total((tally) => tally.signed))}`,
    `503 ${count(total((tally) => tally.cleanUnavailable + tally.uncleanUnavailable))}`,
    `500 ${count(total((tally) => tally.internal))}`,
    ...[...other].map(([status, n]) => `${status} ${count(n)}`),
  ];
  return `${count(total((tally) => tally.answers))} answers: ${parts.join(' · ')}`;
}

function median(values: readonly number[]): number {
  return summarize(values).value;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true'; // as run.ts: Node 20 here, 22 on Lambda
  useDeployedTelemetryEnv();
  for (const { title, rows } of await discardingOutput(benchDelegatedSigning)) printTable(title, rows);
}
