import type { LayerDocument } from './config-document.js';
import { COUNTRY_CODES, type CountryCode, membersOf, parseCountryCode } from './countries.js';
import { type LayerId, layerName } from './layers.js';
import type { LayerSnapshot } from './merge.js';

/** `completing`: the last stage baked; the driver moves the pointer to `toVersion` only from this state. */
export type RolloutState = 'rolling' | 'completing' | 'done' | 'rolled-back';

/** Running: the new version reaches its started stages, and a driver still has work to do. */
export function isRunning(rollout: Rollout): boolean {
  return rollout.state === 'rolling' || rollout.state === 'completing';
}

/** What happened to one stage: when its countries started to see the new version, and why it stopped. */
export interface RolloutStageLog {
  countries: CountryCode[];
  /** Unset for the first stage until a driver's first pass stamps it (its clock, not an operator's laptop's). */
  startedAt?: string;
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
  /** When the pointer was last written as the rollout started: a pointer written since was moved by someone else. */
  fromUpdatedAt?: string;
  toVersion: number;
  /** The new version's document, so that the read path needs no other item. */
  toDocument: LayerDocument;
  /** Countries per stage, `*` already resolved to every remaining country the layer applies to. */
  stages: CountryCode[][];
  /** The stage whose countries were the last to be exposed. */
  stage: number;
  /** When the stage's bake started, by the driver's clock; unset until the driver's first pass. */
  stageStartedAt?: string;
  bakeMs: number;
  state: RolloutState;
  log: RolloutStageLog[];
  startedBy: string;
  /** Bumped by every write: each transition is conditional on the revision it read. */
  revision: number;
  /** Why a rolled-back rollout stopped (also in its stage log when a stage was running). */
  stoppedBecause?: string;
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
  if (!isRunning(rollout)) return new Set();
  return new Set(rollout.stages.slice(0, rollout.stage + 1).flat());
}

/**
 * The version of a layer a country sees: the rollout's new one if the country's stage has
 * started, else the current one. A finished rollout has moved the pointer; a rolled-back one
 * exposes nobody; and a rollout applies only while the pointer is where it started from, so
 * that a `put` or `rollback` made meanwhile reaches every country at once.
 */
export function versionSeenBy(country: CountryCode | null, current: LayerSnapshot, rollout: Rollout | undefined): LayerSnapshot {
  if (!rollout || country === null || current.version !== rollout.fromVersion || !exposedCountries(rollout).has(country)) return current;
  return { layer: current.layer, version: rollout.toVersion, document: rollout.toDocument };
}

export type RolloutStep =
  | { kind: 'roll-back'; reason: string }
  | { kind: 'start' }
  | { kind: 'next-stage' }
  | { kind: 'complete' }
  | { kind: 'done' };

/**
 * What a driver does with a rollout now: an alarm rolls it back; a baked stage gives way to the
 * next, or completes it. A stage bakes for the rollout's bake time, and never less than
 * `minBakeMs` (the time the watched alarms need to fire).
 */
export function nextRolloutStep(rollout: Rollout, watch: { now: Date; firing: readonly string[]; minBakeMs?: number }): RolloutStep | undefined {
  if (rollout.state !== 'rolling') return undefined;
  if (watch.firing.length > 0) return { kind: 'roll-back', reason: `alarm ${[...watch.firing].sort().join(', ')} in ALARM` };
  if (rollout.stageStartedAt === undefined) return { kind: 'start' };
  if (watch.now.getTime() - Date.parse(rollout.stageStartedAt) < Math.max(rollout.bakeMs, watch.minBakeMs ?? 0)) return undefined;
  return rollout.stage + 1 < rollout.stages.length ? { kind: 'next-stage' } : { kind: 'complete' };
}

/** The rollout after a step: the stage log says why each stage stopped. */
export function applyRolloutStep(rollout: Rollout, step: RolloutStep, now: Date): Rollout {
  const at = now.toISOString();
  const revision = rollout.revision + 1;
  if (step.kind === 'start') {
    return { ...rollout, stageStartedAt: at, log: rollout.log.map((entry, index) => (index === rollout.stage ? { ...entry, startedAt: at } : entry)), revision };
  }
  const log = rollout.log.map((entry, index) =>
    index === rollout.stage && entry.finishedAt === undefined
      ? { ...entry, finishedAt: at, stoppedBecause: step.kind === 'roll-back' ? step.reason : 'baked' }
      : entry,
  );
  switch (step.kind) {
    case 'roll-back':
      return { ...rollout, state: 'rolled-back', stoppedBecause: step.reason, log, revision };
    case 'complete':
      return { ...rollout, state: 'completing', log, revision };
    case 'done':
      return { ...rollout, state: 'done', log, revision };
    case 'next-stage': {
      const stage = rollout.stage + 1;
      const countries = rollout.stages[stage] ?? [];
      return { ...rollout, stage, stageStartedAt: at, log: [...log, { countries, startedAt: at }], revision };
    }
  }
}

/**
 * A new rollout, its first stage exposed as soon as it is written. Its bake starts when a
 * driver first sees it: the driver's clock, not the clock of whoever started it, times stages.
 */
export function startRollout(fields: Omit<Rollout, 'stage' | 'stageStartedAt' | 'state' | 'log' | 'revision'>): Rollout {
  return { ...fields, stage: 0, state: 'rolling', log: [{ countries: fields.stages[0] ?? [] }], revision: 1 };
}

/** `10m`, `30s`, `2h`, `500ms` → milliseconds. */
export function parseBakeTime(text: string): number | undefined {
  const match = /^(\d{1,6})(ms|s|m|h)$/.exec(text.trim());
  if (!match) return undefined;
  const unit = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 }[match[2] as 'ms' | 's' | 'm' | 'h'];
  return Number(match[1]) * unit;
}

/** Where a layer's pointer is, as a driver needs it to tell its own moves from anyone else's. */
export interface LayerPointer {
  version: number;
  updatedAt: string;
  updatedBy: string;
}

/** Who the pointer says moved it, when a rollout's driver did. */
export function rolloutAuthor(rollout: Rollout): string {
  return `rollout ${rollout.id}`;
}

/** Where rollouts are kept; each write is conditional on the revision read, so racing drivers converge. */
export interface RolloutStore {
  /** The rollouts a driver still has work on: `rolling` and `completing`. */
  listRolling(): Promise<Rollout[]>;
  /** Writes `next` if the stored revision is still `next.revision - 1`; false if another driver got there first. */
  save(next: Rollout): Promise<boolean>;
  pointerOf(rollout: Rollout): Promise<LayerPointer | undefined>;
  /**
   * Moves the layer's pointer from version `from` to `to` for the rollout (conditional on `from`).
   * `moved`; `layer-changed` when the pointer was elsewhere; `invalid` when `to` no longer validates.
   */
  movePointer(rollout: Rollout, from: number, to: number): Promise<'moved' | 'layer-changed' | 'invalid'>;
}

/** The alarms a rollout watches: the names of those in ALARM now. */
export interface AlarmSource {
  firing(): Promise<string[]>;
}
