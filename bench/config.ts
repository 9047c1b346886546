import { pathToFileURL } from 'node:url';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createConfigHandler } from '../functions/config/create-handler.js';
import { configEnvSchema } from '../functions/config/env.js';
import { seedConfigIfEmpty } from '../local/seed-config.js';
import { ensureTable, LOCAL_TABLES } from '../local/tables.js';
import { awsClientOptions } from '../shared/adapters/aws/client-options.js';
import { parseEnv } from '../shared/lambda-env/parse-env.js';
import { type CountingDynamoDb as CountingDynalite, startCountingDynamoDb as startCountingDynalite } from '../local/dynamodb-server.js';
import { BENCH_AWS } from './support/aws.js';
import { discardingOutput, useDeployedTelemetryEnv } from './support/deployed-telemetry.js';
import { type BenchHandler, benchContext, httpApiEvent } from './support/lambda-event.js';
import { printTable, type Row, summarize } from './table.js';

const TABLE = 'config';
const ORIGIN_SECRET = 'bench-origin-secret-0123456789';
/** Warm-up per mode: this many lookups, or this long, whichever comes first (the cache-off mode is slow). */
const WARM_UP = { lookups: 500, ms: 1_000 };
const ROUNDS = 7;

// The launch countries, a country without an entry, Kosovo, and two header-only sources.
const REQUESTS: Array<{ query?: Record<string, string>; headers?: Record<string, string> }> = [
  ...['DE', 'FR', 'US', 'GB', 'JP', 'CN', 'IN', 'BR', 'AT', 'XK'].map((country) => ({ query: { country } })),
  { headers: { 'accept-language': 'nl-NL,nl;q=0.9,en;q=0.5' } },
  { headers: { 'cloudfront-viewer-country': 'PL', 'x-origin-verify': ORIGIN_SECRET } },
];

interface Container {
  lookUp(i: number): Promise<void>;
  destroy(): void;
}

/**
 * One mode in a container of its own: a handler built by its factory from its environment
 * contract (the cache TTL among it), with its own DynamoDB client and so its own cache.
 */
function container(dynalite: CountingDynalite, ttlSeconds: number): Container {
  const env = parseEnv(configEnvSchema, { CONFIG_TABLE_NAME: TABLE, VIEWER_COUNTRY_ORIGIN_SECRET: ORIGIN_SECRET, CONFIG_CACHE_TTL_SECONDS: String(ttlSeconds) });
  const dynamodb = new DynamoDBClient({ ...awsClientOptions(env), ...BENCH_AWS, endpoint: dynalite.url });
  const handler = createConfigHandler(env, { dynamodb }) as unknown as BenchHandler;
  const context = benchContext('config');
  return {
    async lookUp(i) {
      const result = await handler(httpApiEvent('GET /v1/config', REQUESTS[i % REQUESTS.length]!), context);
      if (result.statusCode !== 200) throw new Error(`lookup ${i} answered ${result.statusCode}: ${result.body}`);
    },
    destroy: () => dynamodb.destroy(),
  };
}

interface ModeResult {
  /** Lookups per second, one figure per round. */
  rates: number[];
  lookups: number;
  reads: number;
}

async function seed(dynalite: CountingDynalite): Promise<void> {
  const dynamodb = new DynamoDBClient({ ...BENCH_AWS, endpoint: dynalite.url });
  try {
    await ensureTable(dynamodb, { ...LOCAL_TABLES.CONFIG_TABLE_NAME, TableName: TABLE });
    await seedConfigIfEmpty({ dynamodb, tableName: TABLE });
  } finally {
    dynamodb.destroy();
  }
}

/**
 * GET /v1/config through the real handler (middy stack, country resolution, layering, ETag),
 * against an in-process dynalite holding the seed data, with a warm container cache
 * (CONFIG_CACHE_TTL_SECONDS=30) and with the cache off (0: every lookup reads DynamoDB). After a
 * warm-up, the two modes take turns in each round for `roundMs` each. Lookups rotate through 12
 * requests (10 countries by query, one by Accept-Language, one by CloudFront-Viewer-Country).
 */
export async function benchConfig(options: { roundMs?: number } = {}): Promise<Row[]> {
  const roundMs = options.roundMs ?? 250;
  const dynalite = await startCountingDynalite();
  const warm = container(dynalite, 30);
  const off = container(dynalite, 0);
  const results = new Map<Container, ModeResult>([
    [warm, { rates: [], lookups: 0, reads: 0 }],
    [off, { rates: [], lookups: 0, reads: 0 }],
  ]);
  try {
    await seed(dynalite);
    for (const mode of [warm, off]) {
      const started = performance.now();
      for (let i = 0; i < WARM_UP.lookups && performance.now() - started < WARM_UP.ms; i += 1) await mode.lookUp(i);
    }
    for (let round = 0; round < ROUNDS; round++) {
      for (const mode of round % 2 ? [off, warm] : [warm, off]) {
        const result = results.get(mode)!;
        const readsBefore = dynalite.reads();
        const started = performance.now();
        let lookups = 0;
        while (performance.now() - started < roundMs) await mode.lookUp(lookups++);
        result.rates.push((lookups / (performance.now() - started)) * 1000);
        result.lookups += lookups;
        result.reads += dynalite.reads() - readsBefore;
      }
    }
  } finally {
    warm.destroy();
    off.destroy();
    await dynalite.stop();
  }
  const [warmResult, offResult] = [results.get(warm)!, results.get(off)!];
  const perThousand = (mode: ModeResult) => Math.round((mode.reads / mode.lookups) * 1000 * 10) / 10;
  return [
    { name: 'config lookups/s, warm cache', ...summarize(warmResult.rates), unit: 'req/s', note: `${warmResult.lookups.toLocaleString('en-US')} lookups in ${ROUNDS} rounds of ${roundMs} ms, after a warm-up` },
    {
      name: 'config lookups/s, cache off',
      ...summarize(offResult.rates),
      unit: 'req/s',
      note: `${offResult.lookups.toLocaleString('en-US')} lookups; CONFIG_CACHE_TTL_SECONDS=0, in-process dynalite's time included`,
    },
    { name: 'DynamoDB reads per 1,000 lookups, warm cache', value: perThousand(warmResult), unit: 'reads', note: 'counted at dynalite; at most one BatchGetItem per layer set per TTL' },
    { name: 'DynamoDB reads per 1,000 lookups, cache off', value: perThousand(offResult), unit: 'reads', note: 'counted at dynalite; one BatchGetItem (up to 4 layers) per lookup' },
  ];
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true'; // as run.ts: Node 20 here, 22 on Lambda
  useDeployedTelemetryEnv();
  printTable('Config lookups', await discardingOutput(() => benchConfig()));
}
