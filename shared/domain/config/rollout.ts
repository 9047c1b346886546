import type { LayerDocument } from './config-document.js';
import { COUNTRY_CODES, type CountryCode, membersOf, parseCountryCode } from './countries.js';
import { type LayerId, layerName } from './layers.js';
import type { LayerSnapshot } from './merge.js';

export type RolloutState = 'rolling' | 'done' | 'rolled-back';

/** What happened to one stage: when its countries started to see the new version, and why it stopped. */
export interface RolloutStageLog {
  countries: CountryCode[];
  startedAt: string;
  finishedAt?: string;
  /** `baked` (the next stage started or the rollout completed), or the alarms that stopped it. */
  stoppedBecause?: string;
}

/**
 * A new version of one layer reaching its countries stage by stage. It lives beside the layer's
 * pointer; the pointer moves to `toVersion` only when the last stage has baked.
 */
export interface Rollout {
  id: string;
  layer: LayerId;
  fromVersion: number;
  toVersion: number;
  /** The new version's document, so that the read path needs no other item. */
  toDocument: LayerDocument;
  /** Countries per stage, `*` already resolved to every remaining country the layer applies to. */
  stages: CountryCode[][];
  /** The stage whose countries were the last to be exposed. */
  stage: number;
  stageStartedAt: string;
  bakeMs: number;
  state: RolloutState;
  log: RolloutStageLog[];
  startedBy: string;
  /** Bumped by every write: each transition is conditional on the revision it read. */
  revision: number;
}

export class InvalidRolloutStagesError extends Error {
  readonly code = 'INVALID_ROLLOUT_STAGES';
}

/** The countries whose configuration a layer is part of. */
export function countriesOfLayer(layer: LayerId): CountryCode[] {
  switch (layer.kind) {
    case 'default':
      return [...COUNTRY_CODES];
    case 'group':
      return membersOf(layer.group);
    case 'country':
      return [layer.country];
  }
}

/**
 * `JP; DE,FR; *` → stages of countries. Each country must be one the layer applies to and may
 * appear once; `*` (every country not named before) may only be the last stage.
 */
export function parseRolloutStages(layer: LayerId, text: string): CountryCode[][] {
  const applies = new Set<string>(countriesOfLayer(layer));
  const seen = new Set<string>();
  const parts = text.split(';').map((part) => part.trim());
  if (parts.some((part) => part === '')) throw new InvalidRolloutStagesError(`stages "${text}" has an empty stage`);
  return parts.map((part, index) => {
    if (part === '*') {
      if (index !== parts.length - 1) throw new InvalidRolloutStagesError('"*" (every remaining country) must be the last stage');
      const rest = countriesOfLayer(layer).filter((country) => !seen.has(country));
      if (rest.length === 0) throw new InvalidRolloutStagesError('"*" names no country: every country of the layer is in an earlier stage');
      return rest;
    }
    return part.split(',').map((value) => {
      const country = parseCountryCode(value.trim());
      if (!country) throw new InvalidRolloutStagesError(`"${value.trim()}" is not a country code`);
      if (!applies.has(country)) throw new InvalidRolloutStagesError(`${country} is not a country of ${layerName(layer)}`);
      if (seen.has(country)) throw new InvalidRolloutStagesError(`${country} is in two stages`);
      seen.add(country);
      return country;
    });
  });
}

/** The countries that see the new version: every started stage's, while the rollout runs; nobody's once it stopped. */
export function exposedCountries(rollout: Rollout): Set<CountryCode> {
  if (rollout.state !== 'rolling') return new Set();
  return new Set(rollout.stages.slice(0, rollout.stage + 1).flat());
}

/**
 * The version of a layer a country sees: the rollout's new one if the country's stage has
 * started, else the current one. A finished rollout has moved the pointer; a rolled-back one
 * exposes nobody.
 */
export function versionSeenBy(country: CountryCode | null, current: LayerSnapshot, rollout: Rollout | undefined): LayerSnapshot {
  if (!rollout || country === null || !exposedCountries(rollout).has(country)) return current;
  return { layer: current.layer, version: rollout.toVersion, document: rollout.toDocument };
}

export type RolloutStep =
  | { kind: 'roll-back'; reason: string }
  | { kind: 'next-stage' }
  | { kind: 'complete' };

/** What a driver does with a rollout now: an alarm rolls it back; a baked stage gives way to the next, or completes it. */
export function nextRolloutStep(rollout: Rollout, watch: { now: Date; firing: readonly string[] }): RolloutStep | undefined {
  if (rollout.state !== 'rolling') return undefined;
  if (watch.firing.length > 0) return { kind: 'roll-back', reason: `alarm ${[...watch.firing].sort().join(', ')} in ALARM` };
  if (watch.now.getTime() - Date.parse(rollout.stageStartedAt) < rollout.bakeMs) return undefined;
  return rollout.stage + 1 < rollout.stages.length ? { kind: 'next-stage' } : { kind: 'complete' };
}

/** The rollout after a step: the stage log says why each stage stopped. */
export function applyRolloutStep(rollout: Rollout, step: RolloutStep, now: Date): Rollout {
  const at = now.toISOString();
  const log = rollout.log.map((entry, index) =>
    index === rollout.stage && entry.finishedAt === undefined
      ? { ...entry, finishedAt: at, stoppedBecause: step.kind === 'roll-back' ? step.reason : 'baked' }
      : entry,
  );
  const revision = rollout.revision + 1;
  switch (step.kind) {
    case 'roll-back':
      return { ...rollout, state: 'rolled-back', log, revision };
    case 'complete':
      return { ...rollout, state: 'done', log, revision };
    case 'next-stage': {
      const stage = rollout.stage + 1;
      const countries = rollout.stages[stage] ?? [];
      return { ...rollout, stage, stageStartedAt: at, log: [...log, { countries, startedAt: at }], revision };
    }
  }
}

/** A new rollout, its first stage exposed from `now`. */
export function startRollout(fields: Omit<Rollout, 'stage' | 'stageStartedAt' | 'state' | 'log' | 'revision'>, now: Date): Rollout {
  const at = now.toISOString();
  return { ...fields, stage: 0, stageStartedAt: at, state: 'rolling', log: [{ countries: fields.stages[0] ?? [], startedAt: at }], revision: 1 };
}

/** `10m`, `30s`, `2h`, `500ms` → milliseconds. */
export function parseBakeTime(text: string): number | undefined {
  const match = /^(\d{1,6})(ms|s|m|h)$/.exec(text.trim());
  if (!match) return undefined;
  const unit = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 }[match[2] as 'ms' | 's' | 'm' | 'h'];
  return Number(match[1]) * unit;
}

/** Where rollouts are kept; each write is conditional on the revision read, so racing drivers converge. */
export interface RolloutStore {
  listRolling(): Promise<Rollout[]>;
  /** Writes `next` if the stored revision is still `next.revision - 1`; false if another driver got there first. */
  save(next: Rollout): Promise<boolean>;
  /** Makes the rollout's version current. `layer-changed`: the pointer left `fromVersion` for another version meanwhile. */
  promote(rollout: Rollout): Promise<'promoted' | 'layer-changed'>;
}

/** The alarms a rollout watches: the names of those in ALARM now. */
export interface AlarmSource {
  firing(): Promise<string[]>;
}
