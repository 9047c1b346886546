// How often the config function reads DynamoDB, counted at dynalite. Nothing here is timed: the
// TTL is crossed with the cache's injected clock, never by waiting.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CachedConfigLayers } from '../../shared/adapters/cached-config-layers.js';
import { DynamoDbConfigStore } from '../../shared/adapters/dynamodb-config-store.js';
import { parseCountryCode } from '../../shared/domain/config/countries.js';
import { layerChainFor } from '../../shared/domain/config/layers.js';
import { type CountingDynalite, startSeededConfigStore } from './support/dynamodb.js';
import { loadConfigHandler, ORIGIN_SECRET } from './support/handler.js';
import { type ConfigKms, startConfigKms } from './support/kms.js';

let seeded: Awaited<ReturnType<typeof startSeededConfigStore>>;
let dynalite: CountingDynalite;
let store: DynamoDbConfigStore;
let kms: ConfigKms;

beforeAll(async () => {
  seeded = await startSeededConfigStore();
  ({ dynalite, store } = seeded);
  kms = await startConfigKms();
});
afterAll(async () => {
  await seeded?.stop();
  await kms?.stop();
});

// Every way a request names its country: the query (launch countries, one without an entry,
// Kosovo), Accept-Language, and CloudFront-Viewer-Country with the origin secret.
const REQUESTS: Array<{ query?: Record<string, string>; headers?: Record<string, string> }> = [
  ...['DE', 'FR', 'US', 'GB', 'JP', 'CN', 'IN', 'BR', 'AT', 'XK'].map((country) => ({ query: { country } })),
  { headers: { 'accept-language': 'nl-NL,nl;q=0.9,en;q=0.5' } },
  { headers: { 'cloudfront-viewer-country': 'PL', 'x-origin-verify': ORIGIN_SECRET } },
];

type GetConfig = Awaited<ReturnType<typeof loadConfigHandler>>;

async function readsFor(getConfig: GetConfig, lookups: number): Promise<number> {
  const before = dynalite.reads();
  for (let i = 0; i < lookups; i += 1) expect((await getConfig(REQUESTS[i % REQUESTS.length])).statusCode).toBe(200);
  return dynalite.reads() - before;
}

describe('DynamoDB reads of GET /v1/config', () => {
  it('a warm container answers lookups of every kind from memory, after at most one read per lookup to fill its cache', async () => {
    const getConfig = await loadConfigHandler({ dynamodbUrl: dynalite.url, kms });
    expect(await readsFor(getConfig, REQUESTS.length)).toBeLessThanOrEqual(REQUESTS.length);
    expect(await readsFor(getConfig, 10 * REQUESTS.length)).toBe(0);
  });

  it('with CONFIG_CACHE_TTL_SECONDS=0, every lookup is one read: one BatchGetItem for its whole layer chain', async () => {
    const getConfig = await loadConfigHandler({ dynamodbUrl: dynalite.url, kms, env: { CONFIG_CACHE_TTL_SECONDS: '0' } });
    expect(await readsFor(getConfig, 2 * REQUESTS.length)).toBe(2 * REQUESTS.length);
  });

  it('reads a layer chain from DynamoDB once per TTL, by the container clock', async () => {
    let now = 1_000_000;
    const layers = new CachedConfigLayers(store, { ttlMs: 30_000, now: () => now });
    const chain = layerChainFor(parseCountryCode('DE')!);
    const readsFor = async (lookups: number) => {
      const before = dynalite.reads();
      for (let i = 0; i < lookups; i += 1) expect((await layers.read(chain)).unknown).toEqual([]);
      return dynalite.reads() - before;
    };
    expect(await readsFor(10)).toBe(1);
    now += 29_999;
    expect(await readsFor(10)).toBe(0);
    now += 1;
    expect(await readsFor(10)).toBe(1);
  });
});
