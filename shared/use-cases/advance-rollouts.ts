import { layerName } from '../domain/config/layers.js';
import { type AlarmSource, applyRolloutStep, nextRolloutStep, type Rollout, type RolloutStep, type RolloutStore } from '../domain/config/rollout.js';

export interface RolloutAdvance {
  rollout: string;
  layer: string;
  step: RolloutStep['kind'];
  /** False when another driver wrote the rollout first: it will be looked at again on the next run. */
  applied: boolean;
  reason?: string;
}

/**
 * One pass of the rollout driver, run by a schedule on AWS and by a timer locally:
 * 1. read the running rollouts (nothing else is read when none runs);
 * 2. read which watched alarms are in ALARM;
 * 3. for each rollout: an alarm rolls it back; a baked stage gives way to the next; the last
 *    baked stage completes it, moving the layer's pointer to the new version first (a crash
 *    in between leaves every country on the new version, and the next pass finishes);
 * 4. each transition is one write conditional on the revision read: of two drivers, one wins,
 *    the other's write is dropped and both agree on the next pass;
 * 5. a rollout that fails to advance does not stop the others; the pass then fails as a whole
 *    (the function's errors show it), and the next pass tries again.
 */
export async function advanceRollouts(deps: { store: RolloutStore; alarms: AlarmSource; now: () => Date }): Promise<RolloutAdvance[]> {
  const rolling = await deps.store.listRolling();
  if (rolling.length === 0) return [];
  const firing = await deps.alarms.firing();
  const advances: RolloutAdvance[] = [];
  const failures: unknown[] = [];
  for (const rollout of rolling) {
    // One layer's failure (its new version no longer valid, a throttled write) must not hold up the others.
    try {
      const advance = await advanceOne(deps, rollout, firing);
      if (advance) advances.push(advance);
    } catch (error) {
      failures.push(error);
    }
  }
  if (failures.length > 0) throw new AggregateError(failures, `${failures.length} of ${rolling.length} running rollouts could not advance; the others did: ${JSON.stringify(advances)}`);
  return advances;
}

async function advanceOne(deps: { store: RolloutStore; now: () => Date }, rollout: Rollout, firing: readonly string[]): Promise<RolloutAdvance | undefined> {
  const now = deps.now();
  let step = nextRolloutStep(rollout, { now, firing });
  if (!step) return undefined;
  if (step.kind === 'complete' && (await deps.store.promote(rollout)) === 'layer-changed') {
    step = { kind: 'roll-back', reason: `${layerName(rollout.layer)} was changed during the rollout` };
  }
  const applied = await deps.store.save(applyRolloutStep(rollout, step, now));
  return { rollout: rollout.id, layer: layerName(rollout.layer), step: step.kind, applied, ...(step.kind === 'roll-back' ? { reason: step.reason } : {}) };
}
