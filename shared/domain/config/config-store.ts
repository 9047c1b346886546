import type { ValidationIssue } from '../../errors.js';
import type { LayerDocument } from './config-document.js';
import type { LayerId } from './layers.js';
import type { LayerSnapshot } from './merge.js';
import type { Rollout } from './rollout.js';

/** The version of a layer that is current, as its pointer records it. */
export interface CurrentLayer extends LayerSnapshot {
  updatedAt: string;
  updatedBy: string;
  /** How the pointer got here: a new version was written, an operator rolled back, or a staged rollout completed. */
  action: 'put' | 'rollback' | 'rollout';
  message?: string;
  /** The layer's staged rollout while it runs (read in the same round trip): some countries see its version instead. */
  rollout?: Rollout;
}

/** One immutable version of a layer. */
export interface LayerVersion extends LayerSnapshot {
  createdAt: string;
  createdBy: string;
  message?: string;
}

export interface CurrentLayersRead {
  /** The current versions, in the order asked for; layers without one are absent. */
  layers: CurrentLayer[];
  /**
   * Layers whose stored item fails today's validation (edited by hand, or the rules moved on,
   * as when a currency is withdrawn). They are never served (their newest valid older version
   * may be); each is reported on its own so that one bad layer does not hide the good ones.
   */
  invalid: Array<{
    layer: LayerId;
    issues: ValidationIssue[];
    /** The newest older version that passes, served in its place (it is in `layers`), if any. */
    servedVersion?: number;
  }>;
}

/** The read side the config function needs: the current version of some layers, in one round trip. */
export interface ConfigLayerSource {
  readCurrent(layers: readonly LayerId[]): Promise<CurrentLayersRead>;
}

/** Layers as a lookup gets them: from memory or from the table, and whether any stands in for one that could not be read. */
export interface LayerLookup {
  /** The current layers that exist, in the order asked for. */
  layers: CurrentLayer[];
  /**
   * True when some layer could not be read as it is now (the source failed, or its stored
   * item is invalid) and an older value, or nothing (the built-in default shows through),
   * stands in for it: the caller says so to its client.
   */
  stale: boolean;
  /**
   * Layers asked for whose content is not known at all (never read, or only ever read invalid,
   * while the source fails): an answer without them could be another country's configuration.
   */
  unknown: LayerId[];
}

/** What the config function reads through: the table behind a container cache. */
export interface ConfigLayerReader {
  read(layers: readonly LayerId[]): Promise<LayerLookup>;
}

export interface WriteOptions {
  /**
   * The version the editor's change is based on: the write is refused with a conflict unless
   * it is still current. `null` means the layer must have no current version yet. Left out,
   * whatever is current when the write starts is the base.
   */
  expectedVersion?: number | null;
  author: string;
  message?: string;
}

/** Everything operators do with configuration; the CLI and the local seed use it. */
export interface ConfigStore extends ConfigLayerSource {
  getCurrent(layer: LayerId): Promise<CurrentLayer | undefined>;
  listCurrent(): Promise<CurrentLayer[]>;
  history(layer: LayerId, options?: { limit?: number }): Promise<LayerVersion[]>;
  getVersion(layer: LayerId, version: number): Promise<LayerVersion | undefined>;
  /** Validates, writes a new immutable version and makes it current. */
  put(layer: LayerId, document: unknown, options: WriteOptions): Promise<CurrentLayer>;
  /** Makes an earlier version current again; its content is validated against today's rules first. */
  rollback(layer: LayerId, toVersion: number, options: WriteOptions): Promise<CurrentLayer>;
}

