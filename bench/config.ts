import { pathToFileURL } from 'node:url';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KMSClient } from '@aws-sdk/client-kms';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createConfigHandler } from '../functions/config/create-handler.js';
import { configEnvSchema } from '../functions/config/env.js';
import { seedConfigIfEmpty } from '../local/seed-config.js';
import { ensureTable, LOCAL_TABLES } from '../local/tables.js';
import { awsClientOptions } from '../shared/adapters/aws/client-options.js';
import { DynamoDbConfigStore } from '../shared/adapters/dynamodb-config-store.js';
import type { ConfigSignatures } from '../shared/domain/config/config-signature.js';
import { parseLayerName } from '../shared/domain/config/layers.js';
import { parseEnv } from '../shared/lambda-env/parse-env.js';
import { type CountingDynamoDb as CountingDynalite, startCountingDynamoDb as startCountingDynalite } from '../local/dynamodb-server.js';
import { BENCH_AWS } from './support/aws.js';
import { discardingOutput, useDeployedTelemetryEnv } from './support/deployed-telemetry.js';
import { type BenchKms, startBenchKms } from './support/kms.js';
import { type BenchHandler, benchContext, httpApiEvent } from './support/lambda-event.js';
import { atLeast, exactly, printTable, type Row, summarize } from './table.js';

const TABLE = 'config';
const ORIGIN_SECRET = 'bench-origin-secret-0123456789';
/** Warm-up per mode: this many lookups, or this long, whichever comes first (the cache-off mode is slow). */
const WARM_UP = { lookups: 500, ms: 1_000 };
const ROUNDS = 9;
/** The issue's goals: cached lookups with signing on at least 0.9× as many as with it off, and no KMS call once signed. */
const GOALS = { signedOverUnsigned: 0.9, kmsCallsPerThousand: 0 };

// The launch countries, a country without an entry, Kosovo, and two header-only sources.
const REQUESTS: Array<{ query?: Record<string, string>; headers?: Record<string, string> }> = [
  ...['DE', 'FR', 'US', 'GB', 'JP', 'CN', 'IN', 'BR', 'AT', 'XK'].map((country) => ({ query: { country } })),
  { headers: { 'accept-language': 'nl-NL,nl;q=0.9,en;q=0.5' } },
  { headers: { 'cloudfront-viewer-country': 'PL', 'x-origin-verify': ORIGIN_SECRET } },
];

/**
 * "Signing off": the container of the release before signed answers, but for an empty
 * `signature` member (14 bytes of body): no digest, no kept signatures, no token in the body or
 * the ETag, and every body serialized and hashed afresh, as before (a new signature object per
 * lookup: the body kept with a signature never applies). The signed container digests each answer
 * to find its signature, and reuses the body it rendered with that signature.
 */
const UNSIGNED: ConfigSignatures = { signatureOf: async () => ({ token: '', expiresAt: Number.MAX_SAFE_INTEGER }) };

interface Container {
  lookUp(i: number): Promise<void>;
  destroy(): void;
}

/**
 * One mode in a container of its own: a handler built by its factory from its environment
 * contract (the cache TTL among it), with its own clients and so its own caches.
 */
function container(dynalite: CountingDynalite, kms: BenchKms, options: { ttlSeconds: number; signing: boolean }): Container {
  const env = parseEnv(configEnvSchema, {
    CONFIG_TABLE_NAME: TABLE,
    VIEWER_COUNTRY_ORIGIN_SECRET: ORIGIN_SECRET,
    CONFIG_CACHE_TTL_SECONDS: String(options.ttlSeconds),
    CONFIG_SIGNING_KEY_ARN: kms.configKeyArn,
    PAYMENT_ISSUER: 'bench',
  });
  const dynamodb = new DynamoDBClient({ ...awsClientOptions(env), ...BENCH_AWS, endpoint: dynalite.url });
  const kmsClient = new KMSClient({ ...awsClientOptions(env), ...BENCH_AWS, endpoint: kms.url });
  const handler = createConfigHandler(env, { dynamodb, kms: kmsClient }, options.signing ? undefined : UNSIGNED) as unknown as BenchHandler;
  const context = benchContext('config');
  return {
    async lookUp(i) {
      const result = await handler(httpApiEvent('GET /v1/config', REQUESTS[i % REQUESTS.length]!), context);
      if (result.statusCode !== 200) throw new Error(`lookup ${i} answered ${result.statusCode}: ${result.body}`);
    },
    destroy: () => {
      dynamodb.destroy();
      kmsClient.destroy();
    },
  };
}

interface ModeResult {
  /** Lookups per second, one figure per round. */
  rates: number[];
  lookups: number;
  reads: number;
  /** KMS Sign requests answered during the measured rounds. */
  signs: number;
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

/** Puts Germany's layer once more (a new version, the same document) and counts the Signs of one pass over the requests. */
async function signsForANewVersion(dynalite: CountingDynalite, kms: BenchKms, cacheOff: Container): Promise<number> {
  const dynamodb = new DynamoDBClient({ ...BENCH_AWS, endpoint: dynalite.url });
  try {
    const store = new DynamoDbConfigStore(DynamoDBDocumentClient.from(dynamodb), TABLE);
    const germany = (await store.getCurrent(parseLayerName('DE')!))!;
    await store.put(germany.layer, germany.document, { author: 'bench', expectedVersion: germany.version });
    const before = kms.signed();
    for (let i = 0; i < REQUESTS.length; i += 1) await cacheOff.lookUp(i);
    return kms.signed() - before;
  } finally {
    dynamodb.destroy();
  }
}

/**
 * GET /v1/config through the real handler (middy stack, country resolution, layering, signature,
 * ETag), against an in-process dynalite holding the seed data and the local KMS endpoint holding
 * the config key, in three containers: a warm container cache (CONFIG_CACHE_TTL_SECONDS=30)
 * signing its answers, the same without signing (see UNSIGNED), and the cache off (0: every
 * lookup reads DynamoDB), signing. After a warm-up (where each signing container signs each of
 * its 12 answers once), the modes take turns in each round for `roundMs` each, the two cached
 * ones back to back, which of them first alternating. Lookups rotate through 12 requests (10
 * countries by query, one by Accept-Language, one by CloudFront-Viewer-Country). Last, one layer
 * gets a new version.
 */
export async function benchConfig(options: { roundMs?: number } = {}): Promise<Row[]> {
  const roundMs = options.roundMs ?? 250;
  const dynalite = await startCountingDynalite();
  const kms = await startBenchKms();
  const signed = container(dynalite, kms, { ttlSeconds: 30, signing: true });
  const unsigned = container(dynalite, kms, { ttlSeconds: 30, signing: false });
  const off = container(dynalite, kms, { ttlSeconds: 0, signing: true });
  const modes = [signed, unsigned, off];
  const results = new Map<Container, ModeResult>(modes.map((mode) => [mode, { rates: [], lookups: 0, reads: 0, signs: 0 }]));
  const ratios: number[] = [];
  let warmUpSigns = 0;
  let newVersionSigns = 0;
  try {
    await seed(dynalite);
    const signsBefore = kms.signed();
    for (const mode of modes) {
      const started = performance.now();
      for (let i = 0; i < WARM_UP.lookups && performance.now() - started < WARM_UP.ms; i += 1) await mode.lookUp(i);
    }
    warmUpSigns = kms.signed() - signsBefore;
    for (let round = 0; round < ROUNDS; round++) {
      // The two cached containers back to back, the first alternating: their ratio compares the same moments of the machine.
      const order = round % 2 ? [unsigned, signed, off] : [signed, unsigned, off];
      for (const mode of order) {
        const result = results.get(mode)!;
        const [readsBefore, signsBefore] = [dynalite.reads(), kms.signed()];
        const started = performance.now();
        let lookups = 0;
        while (performance.now() - started < roundMs) await mode.lookUp(lookups++);
        result.rates.push((lookups / (performance.now() - started)) * 1000);
        result.lookups += lookups;
        result.reads += dynalite.reads() - readsBefore;
        result.signs += kms.signed() - signsBefore;
      }
      ratios.push(results.get(signed)!.rates.at(-1)! / results.get(unsigned)!.rates.at(-1)!);
    }
    newVersionSigns = await signsForANewVersion(dynalite, kms, off);
  } finally {
    for (const mode of modes) mode.destroy();
    await Promise.all([dynalite.stop(), kms.close()]);
  }
  const [signedResult, unsignedResult, offResult] = modes.map((mode) => results.get(mode)!) as [ModeResult, ModeResult, ModeResult];
  const perThousand = (count: number, lookups: number) => Math.round((count / lookups) * 1000 * 10) / 10;
  const ratio = summarize(ratios);
  const signedLookups = signedResult.lookups + offResult.lookups;
  const kmsPerThousand = perThousand(signedResult.signs + offResult.signs, signedLookups);
  return [
    {
      name: 'config lookups/s, warm cache, signed',
      ...summarize(signedResult.rates),
      unit: 'req/s',
      note: `${signedResult.lookups.toLocaleString('en-US')} lookups in ${ROUNDS} rounds of ${roundMs} ms, after a warm-up`,
    },
    {
      name: 'config lookups/s, warm cache, signing off',
      ...summarize(unsignedResult.rates),
      unit: 'req/s',
      note: `${unsignedResult.lookups.toLocaleString('en-US')} lookups; an empty signature: nothing signed or kept, every body serialized`,
    },
    {
      name: 'signed / unsigned cached lookups per second',
      ...ratio,
      unit: '×',
      goal: atLeast(ratio.value, GOALS.signedOverUnsigned, '×'),
      note: 'median of per-round ratios, the two containers measured in the same rounds',
    },
    {
      name: 'config lookups/s, cache off',
      ...summarize(offResult.rates),
      unit: 'req/s',
      note: `${offResult.lookups.toLocaleString('en-US')} lookups; CONFIG_CACHE_TTL_SECONDS=0, in-process dynalite's time included; signed`,
    },
    {
      name: 'KMS Sign calls, first lookup of each answer',
      value: warmUpSigns,
      unit: 'calls',
      note: `in the warm-up: 12 answers in each of 2 signing containers, 1 call per answer, version and container`,
    },
    {
      name: 'KMS Sign calls per 1,000 lookups after the first per answer',
      value: kmsPerThousand,
      unit: 'calls',
      goal: exactly(kmsPerThousand, GOALS.kmsCallsPerThousand),
      note: `counted at the KMS endpoint over ${signedLookups.toLocaleString('en-US')} signed lookups (cache on and off)`,
    },
    {
      name: 'KMS Sign calls for a new version of one layer',
      value: newVersionSigns,
      unit: 'calls',
      goal: exactly(newVersionSigns, 1),
      note: "country:DE put once more, then the 12 answers looked up in the cache-off container: Germany's alone is signed anew",
    },
    { name: 'DynamoDB reads per 1,000 lookups, warm cache', value: perThousand(signedResult.reads, signedResult.lookups), unit: 'reads', note: 'counted at dynalite; at most one BatchGetItem per layer set per TTL' },
    { name: 'DynamoDB reads per 1,000 lookups, cache off', value: perThousand(offResult.reads, offResult.lookups), unit: 'reads', note: 'counted at dynalite; one BatchGetItem (up to 4 layers) per lookup' },
  ];
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true'; // as run.ts: Node 20 here, 22 on Lambda
  useDeployedTelemetryEnv();
  printTable('Config lookups', await discardingOutput(() => benchConfig()));
}
