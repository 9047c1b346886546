import { describe, expect, it } from 'vitest';
import type { ConfigLayerReader } from '../../shared/domain/config/config-store.js';
import { lookUpConfig } from '../../shared/use-cases/look-up-config.js';
import type { CountryCode } from '../../shared/domain/config/countries.js';
import { type LayerId, parseLayerName } from '../../shared/domain/config/layers.js';
import {
  applyRolloutStep,
  nextRolloutStep,
  parseBakeTime,
  parseRolloutStages,
  type Rollout,
  startRollout,
  versionSeenBy,
} from '../../shared/domain/config/rollout.js';

const EU = parseLayerName('EU') as LayerId;
const layer = (name: string) => parseLayerName(name) as LayerId;
const T0 = new Date('2026-12-01T09:00:00Z');
const minutes = (n: number) => new Date(T0.getTime() + n * 60_000);
const current = { layer: EU, version: 1, document: { locale: 'en-GB' } };

function euRollout(stages = 'DE; FR,IT; *'): Rollout {
  const written = startRollout({ id: 'group:EU@2', layer: EU, fromVersion: 1, toVersion: 2, toDocument: { locale: 'en-IE' }, stages: parseRolloutStages(EU, stages), bakeMs: 10 * 60_000, startedBy: 'test' });
  // A driver's first pass starts the bake.
  return applyRolloutStep(written, { kind: 'start' }, T0);
}

const seen = (country: string, rollout: Rollout) => versionSeenBy(country as CountryCode, current, rollout).version;

describe('rollout stages', () => {
  it('resolves "*" to every country of the layer not named before, and keeps the order given', () => {
    const stages = parseRolloutStages(EU, 'de; FR , IT; *');
    expect(stages.slice(0, 2)).toEqual([['DE'], ['FR', 'IT']]);
    expect(stages[2]).toHaveLength(24);
    expect(stages[2]).not.toContain('DE');
    expect(parseRolloutStages(layer('default'), 'JP; *')[1]).toContain('US');
  });

  it.each([
    ['JP; *', 'JP is not a country of group:EU'],
    ['*; DE', '"*" (every remaining country) must be the last stage'],
    ['DE; DE', 'DE is in two stages'],
    ['DE;; FR', 'has an empty stage'],
    ['DE; QQ', '"QQ" is not a country code'],
  ])('refuses %s', (stages, message) => {
    expect(() => parseRolloutStages(EU, stages)).toThrow(message);
  });

  it('reads bake times in ms, s, m and h', () => {
    expect([parseBakeTime('500ms'), parseBakeTime('30s'), parseBakeTime('10m'), parseBakeTime('2h'), parseBakeTime('10 minutes')]).toEqual([500, 30_000, 600_000, 7_200_000, undefined]);
  });
});

describe('which version a country sees', () => {
  it('the new one once its stage has started, the current one before, and the current one again after a rollback', () => {
    const stage1 = euRollout();
    expect([seen('DE', stage1), seen('FR', stage1), seen('AT', stage1)]).toEqual([2, 1, 1]);
    const stage2 = applyRolloutStep(stage1, { kind: 'next-stage' }, minutes(10));
    expect([seen('DE', stage2), seen('FR', stage2), seen('AT', stage2)]).toEqual([2, 2, 1]);
    const rolledBack = applyRolloutStep(stage2, { kind: 'roll-back', reason: 'alarm x in ALARM' }, minutes(12));
    expect([seen('DE', rolledBack), seen('FR', rolledBack), seen('AT', rolledBack)]).toEqual([1, 1, 1]);
    expect(versionSeenBy(null, current, stage2).version).toBe(1);
  });
});

describe('the next step of a rollout', () => {
  it('waits for the bake, then starts the next stage, then completes', () => {
    let rollout = euRollout('DE; *');
    expect(nextRolloutStep(rollout, { now: minutes(9), firing: [] })).toBeUndefined();
    expect(nextRolloutStep(rollout, { now: minutes(10), firing: [] })).toEqual({ kind: 'next-stage' });
    rollout = applyRolloutStep(rollout, { kind: 'next-stage' }, minutes(10));
    expect(nextRolloutStep(rollout, { now: minutes(19), firing: [] })).toBeUndefined();
    expect(nextRolloutStep(rollout, { now: minutes(20), firing: [] })).toEqual({ kind: 'complete' });
    rollout = applyRolloutStep(rollout, { kind: 'complete' }, minutes(20));
    expect(rollout).toMatchObject({ state: 'completing', revision: 4 });
    expect(nextRolloutStep(rollout, { now: minutes(99), firing: [] })).toBeUndefined();
    rollout = applyRolloutStep(rollout, { kind: 'done' }, minutes(20));
    expect(rollout).toMatchObject({ state: 'done', revision: 5 });
    expect(rollout.log.map((stage) => stage.stoppedBecause)).toEqual(['baked', 'baked']);
    expect(nextRolloutStep(rollout, { now: minutes(99), firing: ['x'] })).toBeUndefined();
  });

  it('rolls back as soon as a watched alarm is in ALARM, baked or not, and names the alarms', () => {
    expect(nextRolloutStep(euRollout(), { now: minutes(1), firing: ['b', 'a'] })).toEqual({ kind: 'roll-back', reason: 'alarm a, b in ALARM' });
  });
});

describe('the start of a rollout', () => {
  it('exposes its first stage at once, and bakes from the first time a driver sees it', () => {
    const written = startRollout({ id: 'group:EU@2', layer: EU, fromVersion: 1, toVersion: 2, toDocument: {}, stages: parseRolloutStages(EU, 'DE; *'), bakeMs: 60_000, startedBy: 'test' });
    expect(versionSeenBy('DE' as CountryCode, current, written).version).toBe(2);
    expect(nextRolloutStep(written, { now: minutes(60), firing: [] })).toEqual({ kind: 'start' });
    const started = applyRolloutStep(written, { kind: 'start' }, minutes(60));
    expect(started).toMatchObject({ stageStartedAt: minutes(60).toISOString(), log: [{ startedAt: minutes(60).toISOString() }], revision: 2 });
    expect(nextRolloutStep(started, { now: minutes(60.5), firing: [] })).toBeUndefined();
    expect(nextRolloutStep(started, { now: minutes(61), firing: [] })).toEqual({ kind: 'next-stage' });
  });

  it('bakes no stage for less than the minimum, however short the bake asked for', () => {
    expect(nextRolloutStep(euRollout(), { now: minutes(14), firing: [], minBakeMs: 15 * 60_000 })).toBeUndefined();
    expect(nextRolloutStep(euRollout(), { now: minutes(15), firing: [], minBakeMs: 15 * 60_000 })).toEqual({ kind: 'next-stage' });
  });
});

describe('a rollout seen through a stale lookup', () => {
  const reader = (stale: boolean): ConfigLayerReader => ({
    read: async () => ({ layers: [{ ...current, updatedAt: T0.toISOString(), updatedBy: 'test', action: 'put', rollout: euRollout('DE; *') }], stale, unknown: [] }),
  });

  it('exposes nobody while DynamoDB reads fail, so that a rollback made meanwhile is not outlived by a cached rollout', async () => {
    expect((await lookUpConfig({ layers: reader(false) }, { query: 'DE' })).merged.version).toContain('group:EU@2');
    expect((await lookUpConfig({ layers: reader(true) }, { query: 'DE' })).merged.version).toContain('group:EU@1');
  });
});

describe('a rollout whose layer was changed meanwhile', () => {
  it('exposes nobody: a put or rollback made during the rollout reaches every country', () => {
    const rollout = euRollout('DE; *');
    expect(versionSeenBy('DE' as CountryCode, current, rollout).version).toBe(2);
    expect(versionSeenBy('DE' as CountryCode, { ...current, version: 3 }, rollout).version).toBe(3);
  });
});
