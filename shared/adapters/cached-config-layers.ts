import type { ValidationIssue } from '../errors.js';
import type { ConfigLayerReader, ConfigLayerSource, CurrentLayer, LayerLookup } from '../domain/config/config-store.js';
import { type LayerId, layerName } from '../domain/config/layers.js';

export interface LayerCacheStats {
  /** Round trips to the source (one per lookup that found something due). */
  sourceReads: number;
  failedReads: number;
}

interface Entry {
  /** undefined records that the layer does not exist, so a country without an entry is not read again each time. */
  layer: CurrentLayer | undefined;
  expiresAt: number;
  /** The stored item was invalid: `layer` is the last good value (or nothing) standing in for it. */
  stale: boolean;
  /** False while the stored item was invalid and no good version of it was ever read: what the layer says is unknown. */
  known: boolean;
}

/** After a failed read the source is left alone this long, doubling per failure up to the maximum. */
export const FAILED_READ_BACKOFF = { firstMs: 1_000, maxMs: 30_000 } as const;

export interface CacheOptions {
  ttlMs: number;
  now?: () => number;
  /**
   * The source failed (DynamoDB unreachable, throttled, hanging): transient, so a later lookup
   * tries again, after FAILED_READ_BACKOFF, so that a hang does not cost every request its timeout.
   */
  onReadFailure?: (error: unknown, layers: readonly LayerId[]) => void;
  /** A stored layer fails validation: it will not heal by itself, so it is re-read once per TTL only. */
  onInvalidLayer?: (layer: LayerId, issues: ValidationIssue[]) => void;
  /** Every lookup, for the cache's metrics: how it was answered. */
  onLookup?: (lookup: LookupOutcome) => void;
}

export interface LookupOutcome {
  /** The source was read (or tried): something was due. Otherwise memory answered alone. */
  readSource: boolean;
  /** The source failed (now, or lately and is left alone) and the answer is the last known values. */
  servedStaleAfterFailure: boolean;
}

/**
 * The container's memory of configuration layers: each layer is read at most once per TTL,
 * so steady traffic costs one read per layer per container per period. Everything ever read
 * is kept as the last known value: when the source fails, it is served instead (marked
 * stale), however old, because an old configuration beats an error. A layer never read (or only
 * ever read invalid) is `unknown`: nothing may stand in for it. A TTL of 0 disables the cache
 * (every lookup reads the source) but keeps the last known values for failures.
 */
export class CachedConfigLayers implements ConfigLayerReader {
  readonly #entries = new Map<string, Entry>();
  readonly #stats: LayerCacheStats = { sourceReads: 0, failedReads: 0 };
  #failuresInARow = 0;
  #sourceRestsUntil = 0;

  constructor(
    private readonly source: ConfigLayerSource,
    private readonly options: CacheOptions,
  ) {}

  async read(layers: readonly LayerId[]): Promise<LayerLookup> {
    const now = (this.options.now ?? Date.now)();
    const due = layers.filter((layer) => {
      const entry = this.#entries.get(layerName(layer));
      return entry === undefined || entry.expiresAt <= now;
    });
    let failed = due.length > 0 && now < this.#sourceRestsUntil;
    const readSource = due.length > 0 && !failed;
    if (readSource) {
      this.#stats.sourceReads += 1;
      try {
        const read = await this.source.readCurrent(due);
        const found = new Map(read.layers.map((layer) => [layerName(layer.layer), layer]));
        const invalid = new Set(read.invalid.map(({ layer }) => layerName(layer)));
        const expiresAt = now + this.options.ttlMs;
        for (const layer of due) {
          const name = layerName(layer);
          const previous = this.#entries.get(name);
          const olderValid = found.get(name);
          if (invalid.has(name) && olderValid) {
            // The store found the newest valid older version: every container serves the same, marked stale.
            this.#entries.set(name, { layer: olderValid, expiresAt, stale: true, known: true });
          } else if (invalid.has(name)) {
            this.#entries.set(name, { layer: previous?.layer, expiresAt, stale: true, known: previous?.known ?? false });
          } else {
            this.#entries.set(name, { layer: found.get(name), expiresAt, stale: false, known: true });
          }
        }
        this.#failuresInARow = 0;
        for (const { layer, issues } of read.invalid) this.options.onInvalidLayer?.(layer, issues);
      } catch (error) {
        this.#stats.failedReads += 1;
        failed = true;
        // From when the read failed, not when it started: a hang takes its whole timeout first.
        const failedAt = (this.options.now ?? Date.now)();
        this.#sourceRestsUntil = failedAt + Math.min(FAILED_READ_BACKOFF.firstMs * 2 ** this.#failuresInARow, FAILED_READ_BACKOFF.maxMs);
        this.#failuresInARow += 1;
        this.options.onReadFailure?.(error, due);
      }
    }
    const entries = layers.map((layer) => this.#entries.get(layerName(layer)));
    const unknown = layers.filter((_, index) => entries[index]?.known !== true);
    // With a layer unknown nothing is served (the lookup refuses), stale or not.
    this.options.onLookup?.({ readSource, servedStaleAfterFailure: failed && unknown.length === 0 });
    return {
      layers: entries.flatMap((entry) => entry?.layer ?? []),
      stale: failed || entries.some((entry) => entry?.stale === true),
      unknown,
    };
  }

  stats(): LayerCacheStats {
    return { ...this.#stats };
  }
}
