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
import { type BenchHandler, benchContext, httpApiEvent } from './support/lambda-event.js';
import type { Row } from './table.js';

const TABLE = 'config';
const ORIGIN_SECRET = 'bench-origin-secret-0123456789';
const WARM_UP = 500;

// The launch countries, a country without an entry, Kosovo, and two header-only sources.
const REQUESTS: Array<{ query?: Record<string, string>; headers?: Record<string, string> }> = [
  ...['DE', 'FR', 'US', 'GB', 'JP', 'CN', 'IN', 'BR', 'AT', 'XK'].map((country) => ({ query: { country } })),
  { headers: { 'accept-language': 'nl-NL,nl;q=0.9,en;q=0.5' } },
  { headers: { 'cloudfront-viewer-country': 'PL', 'x-origin-verify': ORIGIN_SECRET } },
];

interface ModeResult {
  requests: number;
  elapsedMs: number;
  reads: number;
}

/**
 * One mode in a container of its own: a handler built by its factory from its environment
 * contract (the cache TTL among it), with its own DynamoDB client and so its own cache. Runs
 * lookups for `seconds` after a warm-up.
 */
async function runMode(dynalite: CountingDynalite, ttlSeconds: number, seconds: number): Promise<ModeResult> {
  const env = parseEnv(configEnvSchema, { CONFIG_TABLE_NAME: TABLE, VIEWER_COUNTRY_ORIGIN_SECRET: ORIGIN_SECRET, CONFIG_CACHE_TTL_SECONDS: String(ttlSeconds) });
  const dynamodb = new DynamoDBClient({ ...awsClientOptions(env), ...BENCH_AWS, endpoint: dynalite.url });
  const handler = createConfigHandler(env, { dynamodb }) as unknown as BenchHandler;
  const context = benchContext('config');
  const lookUp = async (i: number) => {
    const result = await handler(httpApiEvent('GET /v1/config', REQUESTS[i % REQUESTS.length]!), context);
    if (result.statusCode !== 200) throw new Error(`lookup ${i} answered ${result.statusCode}: ${result.body}`);
  };
  try {
    for (let i = 0; i < WARM_UP; i += 1) await lookUp(i);
    const readsBefore = dynalite.reads();
    const started = performance.now();
    let requests = 0;
    while (performance.now() - started < seconds * 1000) await lookUp(requests++);
    return { requests, elapsedMs: performance.now() - started, reads: dynalite.reads() - readsBefore };
  } finally {
    dynamodb.destroy();
  }
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
 * (CONFIG_CACHE_TTL_SECONDS=30) and with the cache off (0: every lookup reads DynamoDB).
 * Each mode runs for `seconds` after a warm-up. Lookups rotate through 12 requests (10 countries
 * by query, one by Accept-Language, one by CloudFront-Viewer-Country).
 */
export async function benchConfig(options: { seconds?: number } = {}): Promise<Row[]> {
  const seconds = options.seconds ?? 2;
  const dynalite = await startCountingDynalite();
  let warm: ModeResult;
  let off: ModeResult;
  try {
    await seed(dynalite);
    warm = await runMode(dynalite, 30, seconds);
    off = await runMode(dynalite, 0, seconds);
  } finally {
    await dynalite.stop();
  }
  const perSecond = (mode: ModeResult) => Math.round((mode.requests / mode.elapsedMs) * 1000);
  const perThousand = (mode: ModeResult) => Math.round((mode.reads / mode.requests) * 1000 * 10) / 10;
  return [
    { name: 'config lookups/s, warm cache', value: perSecond(warm), unit: 'req/s', note: `${warm.requests} lookups in ${seconds} s, after a warm-up` },
    {
      name: 'config lookups/s, cache off',
      value: perSecond(off),
      unit: 'req/s',
      note: `${off.requests} lookups; CONFIG_CACHE_TTL_SECONDS=0, in-process dynalite's time included`,
    },
    { name: 'DynamoDB reads per 1,000 lookups, warm cache', value: perThousand(warm), unit: 'reads', note: 'BatchGetItem calls; at most one per layer per TTL' },
    { name: 'DynamoDB reads per 1,000 lookups, cache off', value: perThousand(off), unit: 'reads', note: 'one BatchGetItem (up to 4 layers) per lookup' },
  ];
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.table(await benchConfig());
}
