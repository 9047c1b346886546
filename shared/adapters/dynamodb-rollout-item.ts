import type { LayerDocument } from '../domain/config/config-document.js';
import type { CountryCode } from '../domain/config/countries.js';
import { layerName, parseLayerName } from '../domain/config/layers.js';
import type { Rollout, RolloutStageLog } from '../domain/config/rollout.js';

type Item = Record<string, unknown>;

/** The attributes of a rollout item (the key is added by whoever writes it). */
export function rolloutAttributes(rollout: Rollout): Item {
  const { layer, ...rest } = rollout;
  return { ...rest, layer: layerName(layer) };
}

export function rolloutOfItem(item: Item): Rollout {
  const layer = parseLayerName(String(item.layer));
  if (!layer) throw new Error(`A rollout item names no layer: ${String(item.pk)}`);
  return {
    id: String(item.id),
    layer,
    fromVersion: Number(item.fromVersion),
    ...(typeof item.fromUpdatedAt === 'string' ? { fromUpdatedAt: item.fromUpdatedAt } : {}),
    toVersion: Number(item.toVersion),
    toDocument: (item.toDocument ?? {}) as LayerDocument,
    stages: (item.stages ?? []) as CountryCode[][],
    stage: Number(item.stage),
    ...(typeof item.stageStartedAt === 'string' ? { stageStartedAt: item.stageStartedAt } : {}),
    bakeMs: Number(item.bakeMs),
    state: item.state === 'done' || item.state === 'rolled-back' || item.state === 'completing' ? item.state : 'rolling',
    ...(typeof item.stoppedBecause === 'string' ? { stoppedBecause: item.stoppedBecause } : {}),
    log: (item.log ?? []) as RolloutStageLog[],
    startedBy: String(item.startedBy ?? ''),
    revision: Number(item.revision),
  };
}
