import type { CurrentLayer, LayerVersion } from '../../shared/domain/config/config-store.js';
import { layerName } from '../../shared/domain/config/layers.js';

export function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  return rows.map((row) => row.map((cell, column) => cell.padEnd(widths[column]!)).join('  ').trimEnd()).join('\n');
}

export function currentLayerJson(current: CurrentLayer) {
  return {
    layer: layerName(current.layer),
    version: current.version,
    updatedAt: current.updatedAt,
    updatedBy: current.updatedBy,
    action: current.action,
    ...(current.message ? { message: current.message } : {}),
    document: current.document,
  };
}

export function layerVersionJson(version: LayerVersion, currentVersion: number | undefined) {
  return {
    layer: layerName(version.layer),
    version: version.version,
    current: version.version === currentVersion,
    createdAt: version.createdAt,
    createdBy: version.createdBy,
    ...(version.message ? { message: version.message } : {}),
    document: version.document,
  };
}
