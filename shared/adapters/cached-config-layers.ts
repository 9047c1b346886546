import type { ConfigLayerSource, CurrentLayer } from '../domain/config/config-store.js';
import { type LayerId, layerName } from '../domain/config/layers.js';

export interface CachedLayers {
  /** The current layers that exist, in the order asked for. */
  layers: CurrentLayer[];
  /**
   * True when the source failed and some layers came from older reads (or are missing and the
   * built-in default shows through): the caller says so to its client.
   */
  stale: boolean;
}

export interface LayerCacheStats {
  /** Round trips to the source (one per request that found something due). */
  sourceReads: number;
  failedReads: number;
}

interface Entry {
  /** undefined records that the layer does not exist, so a country without an entry is not read again each time. */
  layer: CurrentLayer | undefined;
  expiresAt: number;
}

/**
 * The container's memory of configuration layers: each layer is read at most once per TTL,
 * so steady traffic costs one read per layer per container per period. Everything ever read
 * is kept as the last known value: when the source fails, it is served instead (marked
 * stale), however old, because an old configuration beats an error. A TTL of 0 disables the
 * cache (every lookup reads the source) but keeps the last known values for failures.
 */
export class CachedConfigLayers {
  readonly #entries = new Map<string, Entry>();
  readonly #stats: LayerCacheStats = { sourceReads: 0, failedReads: 0 };

  constructor(
    private readonly source: ConfigLayerSource,
    private readonly options: {
      ttlMs: number;
      now?: () => number;
      onReadFailure?: (error: unknown, layers: readonly LayerId[]) => void;
    },
  ) {}

  async read(layers: readonly LayerId[]): Promise<CachedLayers> {
    const now = (this.options.now ?? Date.now)();
    const due = layers.filter((layer) => {
      const entry = this.#entries.get(layerName(layer));
      return entry === undefined || entry.expiresAt <= now;
    });
    let stale = false;
    if (due.length > 0) {
      this.#stats.sourceReads += 1;
      try {
        const found = new Map((await this.source.readCurrent(due)).map((layer) => [layerName(layer.layer), layer]));
        const expiresAt = now + this.options.ttlMs;
        for (const layer of due) this.#entries.set(layerName(layer), { layer: found.get(layerName(layer)), expiresAt });
      } catch (error) {
        this.#stats.failedReads += 1;
        stale = true;
        this.options.onReadFailure?.(error, due);
      }
    }
    return { layers: layers.flatMap((layer) => this.#entries.get(layerName(layer))?.layer ?? []), stale };
  }

  stats(): LayerCacheStats {
    return { ...this.#stats };
  }
}
