import { pathToFileURL } from 'node:url';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KMSClient } from '@aws-sdk/client-kms';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createSettlementHandler } from '../functions/settlement/create-handler.js';
import { settlementEnvSchema } from '../functions/settlement/env.js';
import { withJwtAuthorizer } from '../local/api-gateway-event.js';
import { startCountingDynamoDb } from '../local/dynamodb-server.js';
import { ensureTable, LOCAL_TABLES } from '../local/tables.js';
import { awsClientOptions } from '../shared/adapters/aws/client-options.js';
import { DynamoDbMerchantRegistry } from '../shared/adapters/dynamodb-merchant-registry.js';
import { callerIdOf } from '../shared/domain/merchants/caller-identity.js';
import { parseEnv } from '../shared/lambda-env/parse-env.js';
import { BENCH_AWS } from './support/aws.js';
import { type CountingEndpoint, startCountingEndpoint } from './support/counting-endpoint.js';
import { discardingOutput, useDeployedTelemetryEnv } from './support/deployed-telemetry.js';
import { startBenchKms } from './support/kms.js';
import { type BenchHandler, benchContext, httpApiEvent } from './support/lambda-event.js';
import { atMost, exactly, type Goal, printTable, type Row, summarize } from './table.js';

const PAYMENTS = 20;
/** The caller as a JWT authorizer names it, registered for the bench merchant. */
const CALLER = { issuer: 'https://idp.bench.example', subject: 'shop-backend' };
const MERCHANT_ID = 'm_bench';
const REQUEST = { orderId: 'o_bench', amount: { value: 1999, currency: 'USD' }, paymentMethod: { type: 'card', token: 'tok_success' } };
const READ_OPERATIONS = new Set(['GetItem', 'BatchGetItem', 'Query', 'Scan']);
/** The issue's goal for a new payment. */
const GOAL = { kms: 1, dynamodb: 2 };
const REPORT_ONLY: Goal = { text: 'report', met: undefined };

/** AWS calls of one request, by `<service> <operation>`. */
type Calls = Map<string, number>;

/**
 * AWS calls per settlement through the real settlement handler (middy stack, merchant registry
 * behind its container cache, sandbox processor, KMS signer, ledger), counted where the requests
 * arrive: at endpoints in front of an in-memory dynalite and the local KMS. A fresh container's
 * first payment, then new payments (each its own Idempotency-Key), then each of them again with
 * the same key and body (replays), each request counted on its own.
 */
export async function benchSettlement(): Promise<Row[]> {
  const dynalite = await startCountingDynamoDb();
  const kms = await startBenchKms();
  const doors: Array<[string, CountingEndpoint]> = [
    ['DynamoDB', await startCountingEndpoint(dynalite.url)],
    ['KMS', await startCountingEndpoint(kms.url)],
  ];
  const [dynamoDoor, kmsDoor] = [doors[0]![1], doors[1]![1]];
  const setup = new DynamoDBClient({ ...BENCH_AWS, endpoint: dynalite.url });
  const env = parseEnv(settlementEnvSchema, {
    PAYMENT_SIGNING_KEY_ARN: kms.paymentKeyArn,
    PAYMENT_ISSUER: 'https://pay.bench.example',
    LEDGER_TABLE_NAME: LOCAL_TABLES.LEDGER_TABLE_NAME.TableName,
    MERCHANT_TABLE_NAME: LOCAL_TABLES.MERCHANT_TABLE_NAME.TableName,
    PAYMENT_PROCESSOR: 'sandbox',
  });
  const clients = {
    dynamodb: new DynamoDBClient({ ...awsClientOptions(env), ...BENCH_AWS, endpoint: dynamoDoor.url }),
    kms: new KMSClient({ ...awsClientOptions(env), ...BENCH_AWS, endpoint: kmsDoor.url }),
  };
  try {
    await ensureTable(setup, LOCAL_TABLES.LEDGER_TABLE_NAME);
    await ensureTable(setup, LOCAL_TABLES.MERCHANT_TABLE_NAME);
    const registry = new DynamoDbMerchantRegistry(DynamoDBDocumentClient.from(setup), LOCAL_TABLES.MERCHANT_TABLE_NAME.TableName);
    await registry.add({ merchantId: MERCHANT_ID, mode: 'test', status: 'active', callers: [callerIdOf({ kind: 'jwt', ...CALLER })!] });

    const handler = createSettlementHandler(env, clients) as unknown as BenchHandler;
    const context = benchContext('settlement');
    const claims = { iss: CALLER.issuer, sub: CALLER.subject };
    const snapshot = (): Calls =>
      new Map(doors.flatMap(([service, door]) => [...door.calls()].map(([operation, count]) => [`${service} ${operation}`, count] as const)));
    const settle = async (idempotencyKey: string, replay: boolean): Promise<Calls> => {
      const before = snapshot();
      const event = httpApiEvent('POST /v1/settlements', {
        headers: { 'content-type': 'application/json', 'idempotency-key': idempotencyKey },
        body: JSON.stringify(REQUEST),
      });
      const result = (await handler(withJwtAuthorizer(event, claims), context)) as Awaited<ReturnType<BenchHandler>> & { headers?: Record<string, unknown> };
      if (result.statusCode !== 201) throw new Error(`settlement answered ${result.statusCode}: ${result.body}`);
      if ((result.headers?.['idempotent-replayed'] === 'true') !== replay) throw new Error(`expected ${replay ? 'a replay' : 'a new payment'}: ${result.body}`);
      const after = snapshot();
      return new Map([...after].map(([name, count]) => [name, count - (before.get(name) ?? 0)] as [string, number]).filter(([, count]) => count > 0));
    };

    const readsBefore = dynalite.reads();
    const first = [await settle('bench-first', false)];
    const keys = Array.from({ length: PAYMENTS }, (_, i) => `bench-${i}`);
    const created: Calls[] = [];
    for (const key of keys) created.push(await settle(key, false));
    const replayed: Calls[] = [];
    for (const key of keys) replayed.push(await settle(key, true));
    // The endpoint in front of dynalite and dynalite's own count agree, or the counting is wrong.
    const doorReads = [...first, ...created, ...replayed].reduce((sum, calls) => sum + readsOf(calls), 0);
    if (doorReads !== dynalite.reads() - readsBefore) throw new Error(`reads counted in front of dynalite (${doorReads}) and by it (${dynalite.reads() - readsBefore}) differ`);

    return [
      ...callRows('new payment, warm container', created, {
        kms: (value) => exactly(value, GOAL.kms),
        dynamodb: (value) => atMost(value, GOAL.dynamodb),
        note: 'PutItem begins the ledger record, UpdateItem completes it; the merchant comes from the container cache',
      }),
      ...callRows('replay (same Idempotency-Key, same body)', replayed, {
        kms: () => REPORT_ONLY,
        dynamodb: () => REPORT_ONLY,
        note: 'the refused PutItem, then GetItem because dynalite does not hand back the stored item; DynamoDB (and moto) return it with the refusal (ReturnValuesOnConditionCheckFailure): 1 call there',
      }),
      ...callRows("a fresh container's first payment", first, {
        kms: () => REPORT_ONLY,
        dynamodb: () => REPORT_ONLY,
        note: `+ the merchant registry (caller item, merchant item): once per caller per container per MERCHANT_CACHE_TTL_SECONDS (${env.MERCHANT_CACHE_TTL_SECONDS} s)`,
      }),
    ];
  } finally {
    setup.destroy();
    clients.dynamodb.destroy();
    clients.kms.destroy();
    await Promise.all(doors.map(([, door]) => door.close()));
    await Promise.all([dynalite.stop(), kms.close()]);
  }
}

function readsOf(calls: Calls): number {
  return [...READ_OPERATIONS].reduce((sum, operation) => sum + (calls.get(`DynamoDB ${operation}`) ?? 0), 0);
}

/**
 * One row per operation seen, then the total per service beside its goal; every request is one
 * sample, and a goal is met only if every request met it.
 */
function callRows(
  scenario: string,
  samples: readonly Calls[],
  goals: { kms: (value: number) => Goal; dynamodb: (value: number) => Goal; note: string },
): Row[] {
  const names = [...new Set(samples.flatMap((calls) => [...calls.keys()]))].sort();
  const counted = (pick: (calls: Calls) => number) => {
    const values = samples.map(pick);
    const { value, spread } = summarize(values);
    return { value, worst: Math.max(...values), ...(samples.length > 1 ? { spread: `${spread} (${samples.length} requests)` } : {}) };
  };
  const total = (service: string) => counted((calls) => [...calls].reduce((sum, [name, count]) => sum + (name.startsWith(`${service} `) ? count : 0), 0));
  const { worst: kmsWorst, ...kms } = total('KMS');
  const { worst: dynamodbWorst, ...dynamodb } = total('DynamoDB');
  return [
    ...names.map((name) => {
      const { worst: _, ...count } = counted((calls) => calls.get(name) ?? 0);
      return { name: `${scenario}: ${name}`, ...count, unit: 'calls' };
    }),
    { name: `${scenario}: KMS calls`, ...kms, unit: 'calls', goal: goals.kms(kmsWorst) },
    { name: `${scenario}: DynamoDB calls`, ...dynamodb, unit: 'calls', goal: goals.dynamodb(dynamodbWorst), note: goals.note },
  ];
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true'; // as run.ts: Node 20 here, 22 on Lambda
  useDeployedTelemetryEnv();
  printTable('Settlement: AWS calls per request', await discardingOutput(benchSettlement));
}
