import { describe, expect, it } from 'vitest';
import { CachedConfigLayers, FAILED_READ_BACKOFF } from '../../shared/adapters/cached-config-layers.js';
import type { ConfigLayerSource, CurrentLayer, CurrentLayersRead } from '../../shared/domain/config/config-store.js';
import { type LayerId, layerName, parseLayerName } from '../../shared/domain/config/layers.js';

const DEFAULT = parseLayerName('default')!;
const EU = parseLayerName('EU')!;
const AT = parseLayerName('AT')!;

/** A table in memory that can be told to fail, counting the reads it serves. */
class FakeSource implements ConfigLayerSource {
  readonly stored = new Map<string, CurrentLayer>();
  readonly corrupt = new Set<string>();
  reads: string[][] = [];
  failing = false;

  set(layer: LayerId, version: number, locale: string) {
    this.stored.set(layerName(layer), { layer, version, document: { locale }, updatedAt: '', updatedBy: '', action: 'put' });
  }

  async readCurrent(layers: readonly LayerId[]): Promise<CurrentLayersRead> {
    this.reads.push(layers.map(layerName));
    if (this.failing) throw new Error('DynamoDB is down');
    const invalid = layers.filter((layer) => this.corrupt.has(layerName(layer)));
    return {
      layers: layers.flatMap((layer) => (this.corrupt.has(layerName(layer)) ? [] : (this.stored.get(layerName(layer)) ?? []))),
      invalid: invalid.map((layer) => ({ layer, issues: [{ path: 'currency', message: 'is not an ISO 4217 currency in current use' }] })),
    };
  }
}

function setUp(ttlMs: number) {
  const source = new FakeSource();
  let now = 1_000_000;
  const failures: string[][] = [];
  const invalid: string[] = [];
  const cache = new CachedConfigLayers(source, {
    ttlMs,
    now: () => now,
    onReadFailure: (_error, layers) => failures.push(layers.map(layerName)),
    onInvalidLayer: (layer) => invalid.push(layerName(layer)),
  });
  return { source, cache, failures, invalid, advance: (ms: number) => (now += ms) };
}

const versionsOf = (read: { layers: CurrentLayer[] }) => read.layers.map((layer) => `${layerName(layer.layer)}@${layer.version}`);

describe('CachedConfigLayers', () => {
  it('reads each layer once per TTL, all due layers in one round trip', async () => {
    const { source, cache, advance } = setUp(30_000);
    source.set(DEFAULT, 1, 'en-US');
    source.set(EU, 1, 'en-IE');
    expect(versionsOf(await cache.read([DEFAULT, EU, AT]))).toEqual(['default@1', 'group:EU@1']);
    advance(29_999);
    await cache.read([DEFAULT, EU, AT]);
    expect(source.reads).toEqual([['default', 'group:EU', 'country:AT']]);
    advance(1);
    source.set(DEFAULT, 2, 'en-GB');
    expect(versionsOf(await cache.read([DEFAULT, EU]))).toEqual(['default@2', 'group:EU@1']);
    expect(source.reads).toHaveLength(2);
  });

  it('reads only the layers it does not know yet', async () => {
    const { source, cache } = setUp(30_000);
    await cache.read([DEFAULT]);
    await cache.read([DEFAULT, EU, AT]);
    expect(source.reads).toEqual([['default'], ['group:EU', 'country:AT']]);
  });

  it('remembers that a layer does not exist, so a country without an entry costs no reads', async () => {
    const { source, cache } = setUp(30_000);
    for (let i = 0; i < 5; i += 1) expect((await cache.read([AT])).layers).toEqual([]);
    expect(source.reads).toHaveLength(1);
  });

  it('reads on every lookup when the TTL is 0', async () => {
    const { source, cache } = setUp(0);
    for (let i = 0; i < 3; i += 1) await cache.read([DEFAULT]);
    expect(source.reads).toHaveLength(3);
    expect(cache.stats()).toEqual({ sourceReads: 3, failedReads: 0 });
  });

  it('serves the last known layers, however old, when the source fails, and says they are stale', async () => {
    const { source, cache, failures, advance } = setUp(30_000);
    source.set(DEFAULT, 4, 'en-US');
    await cache.read([DEFAULT]);
    advance(3_600_000);
    source.failing = true;
    const read = await cache.read([DEFAULT]);
    expect(read.stale).toBe(true);
    expect(versionsOf(read)).toEqual(['default@4']);
    expect(failures).toEqual([['default']]);
    expect(cache.stats()).toEqual({ sourceReads: 2, failedReads: 1 });
  });

  it('keeps the last known layers with the cache off too', async () => {
    const { source, cache } = setUp(0);
    source.set(DEFAULT, 1, 'en-US');
    await cache.read([DEFAULT]);
    source.failing = true;
    expect(await cache.read([DEFAULT])).toMatchObject({ stale: true, layers: [{ version: 1 }] });
  });

  it('serves what it knows when a failure meets a layer never read, leaving that one out', async () => {
    const { source, cache } = setUp(30_000);
    source.set(DEFAULT, 1, 'en-US');
    await cache.read([DEFAULT]);
    source.failing = true;
    const read = await cache.read([DEFAULT, AT]);
    expect(read.stale).toBe(true);
    expect(versionsOf(read)).toEqual(['default@1']);
  });

  it('says which layers it knows nothing of, and is fresh again once the source recovers, after its backoff', async () => {
    const { source, cache, advance } = setUp(0);
    source.failing = true;
    expect(await cache.read([DEFAULT])).toEqual({ layers: [], stale: true, unknown: [DEFAULT] });
    source.failing = false;
    source.set(DEFAULT, 1, 'en-US');
    // The source is left alone for FAILED_READ_BACKOFF.firstMs after a failure: a hang costs one request, not each.
    expect(await cache.read([DEFAULT])).toMatchObject({ stale: true, unknown: [DEFAULT] });
    expect(source.reads).toHaveLength(1);
    advance(FAILED_READ_BACKOFF.firstMs);
    expect(await cache.read([DEFAULT])).toMatchObject({ stale: false, unknown: [], layers: [{ version: 1 }] });
  });

  it('backs off longer after each failure in a row, up to the maximum, and starts over after a success', async () => {
    const { source, cache, advance } = setUp(0);
    source.set(DEFAULT, 1, 'en-US');
    source.failing = true;
    const readsAfter = async (ms: number) => {
      advance(ms);
      await cache.read([DEFAULT]);
      return source.reads.length;
    };
    await cache.read([DEFAULT]);
    expect([await readsAfter(999), await readsAfter(1), await readsAfter(1_999), await readsAfter(1)]).toEqual([1, 2, 2, 3]);
    expect(await readsAfter(FAILED_READ_BACKOFF.maxMs - 1)).toBe(4); // far past the 4 s wait: a read
    expect(await readsAfter(FAILED_READ_BACKOFF.maxMs)).toBe(5);
    source.failing = false;
    expect(await readsAfter(FAILED_READ_BACKOFF.maxMs)).toBe(6);
    source.failing = true;
    expect([await readsAfter(0), await readsAfter(999), await readsAfter(1)]).toEqual([7, 7, 8]);
  });

  it('counts the backoff from when a hanging read failed, not from when it started', async () => {
    const { source, cache, advance } = setUp(0);
    source.set(DEFAULT, 1, 'en-US');
    await cache.read([DEFAULT]);
    source.failing = true;
    // The read takes 2.1 s to time out (two attempts of a second), longer than the first backoff.
    const readCurrent = source.readCurrent.bind(source);
    source.readCurrent = async (layers) => {
      advance(2_100);
      return readCurrent(layers);
    };
    await cache.read([DEFAULT]);
    expect(source.reads).toHaveLength(2);
    advance(FAILED_READ_BACKOFF.firstMs - 1);
    await cache.read([DEFAULT]);
    expect(source.reads).toHaveLength(2);
  });

  it('knows a layer that does not exist, but not an invalid one it never read valid', async () => {
    const { source, cache } = setUp(0);
    source.set(DEFAULT, 1, 'en-US');
    expect(await cache.read([DEFAULT, AT])).toMatchObject({ unknown: [], stale: false });
    source.corrupt.add(layerName(EU));
    expect(await cache.read([DEFAULT, EU])).toMatchObject({ unknown: [EU], stale: true });
  });

  it('keeps the last good version of a layer whose stored item turned invalid, and serves the others fresh', async () => {
    const { source, cache, invalid, advance } = setUp(30_000);
    source.set(DEFAULT, 1, 'en-US');
    source.set(AT, 1, 'de-AT');
    await cache.read([DEFAULT, AT]);
    advance(30_000);
    source.set(DEFAULT, 2, 'en-GB');
    source.corrupt.add('country:AT');
    const read = await cache.read([DEFAULT, AT]);
    expect(read.stale).toBe(true);
    expect(versionsOf(read)).toEqual(['default@2', 'country:AT@1']);
    expect(invalid).toEqual(['country:AT']);
  });

  it('leaves out an invalid layer it never knew, and re-reads it once per TTL only: it will not heal by itself', async () => {
    const { source, cache, advance } = setUp(30_000);
    source.set(DEFAULT, 1, 'en-US');
    source.corrupt.add('country:AT');
    for (let i = 0; i < 3; i += 1) expect(await cache.read([DEFAULT, AT])).toMatchObject({ stale: true, layers: [{ version: 1 }] });
    expect(source.reads).toHaveLength(1);
    advance(30_000);
    source.corrupt.delete('country:AT');
    source.set(AT, 2, 'de-AT');
    expect(await cache.read([DEFAULT, AT])).toMatchObject({ stale: false, layers: [{ version: 1 }, { version: 2 }] });
    expect(source.reads).toEqual([['default', 'country:AT'], ['default', 'country:AT']]);
  });
});
