import type { LayerDocument } from './config-document.js';
import type { LayerId } from './layers.js';
import type { LayerSnapshot } from './merge.js';

/** The version of a layer that is current, as its pointer records it. */
export interface CurrentLayer extends LayerSnapshot {
  updatedAt: string;
  updatedBy: string;
  /** How the pointer got here: a new version was written, or an operator rolled back. */
  action: 'put' | 'rollback';
  message?: string;
}

/** One immutable version of a layer. */
export interface LayerVersion extends LayerSnapshot {
  createdAt: string;
  createdBy: string;
  message?: string;
}

/** The read side the config function needs: the current version of some layers, in one round trip. */
export interface ConfigLayerSource {
  /** Layers without a current version are absent from the result. */
  readCurrent(layers: readonly LayerId[]): Promise<CurrentLayer[]>;
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

export type { LayerDocument };
