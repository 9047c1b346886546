import { type LayerId, layerName, parseLayerName } from '../../shared/domain/config/layers.js';
import { RefusedError } from '../cli-kit.js';

/**
 * What `put` and `validate` read from --file: a bare layer document, or what `get` printed or
 * wrote with --out (the document with its layer and version). The second lets an operator edit
 * the file `get` gave them and put it back, and the version it carries makes the put refuse if
 * someone changed the layer in between.
 */
export interface LayerFile {
  document: unknown;
  /** The version the document was read at, when the file came from `get`. */
  basedOnVersion?: number;
}

export function layerFileOf(parsed: unknown, layer: LayerId, path: string): LayerFile {
  if (!isGetOutput(parsed)) return { document: parsed };
  const named = parseLayerName(parsed.layer);
  if (!named || layerName(named) !== layerName(layer)) {
    throw new RefusedError(`${path} holds ${parsed.layer} (as 'get' wrote it), not ${layerName(layer)}: name the layer it came from, or put only its "document".`);
  }
  return { document: parsed.document, basedOnVersion: parsed.version };
}

// A layer document never has these three members (the schema refuses unknown ones), so the
// shape alone tells the two apart.
function isGetOutput(value: unknown): value is { layer: string; version: number; document: unknown } {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const candidate = value as Record<string, unknown>;
  return typeof candidate.layer === 'string' && Number.isInteger(candidate.version) && 'document' in candidate;
}
