import { layerName } from '../domain/config/layers.js';
import { type AlarmSource, applyRolloutStep, type LayerPointer, nextRolloutStep, type Rollout, rolloutAuthor, type RolloutStep, type RolloutStore } from '../domain/config/rollout.js';

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
 * 3. for each rollout: a pointer moved by anyone else (a put, a rollback) stops it; an alarm
 *    rolls it back; a baked stage gives way to the next; the last baked stage is saved as
 *    `completing` first, and only then is the pointer moved to the new version and the
 *    rollout saved `done` (a crash in between leaves it `completing`: the next pass finishes,
 *    or rolls back, moving the pointer back if an alarm fires);
 * 4. each transition is one write conditional on the revision read: of two drivers, one wins,
 *    the other's write is dropped (and it moves no pointer) and both agree on the next pass;
 * 5. a rollout that fails to advance does not stop the others; the pass then fails as a whole
 *    (the function's errors show it), and the next pass tries again.
 */
export async function advanceRollouts(deps: { store: RolloutStore; alarms: AlarmSource; now: () => Date; minBakeMs: number }): Promise<RolloutAdvance[]> {
  const rolling = await deps.store.listRolling();
  if (rolling.length === 0) return [];
  const firing = await deps.alarms.firing();
  const advances: RolloutAdvance[] = [];
  const failures: unknown[] = [];
  for (const rollout of rolling) {
    // One layer's failure (its new version deleted by hand, a throttled write) must not hold up the others.
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

type Deps = { store: RolloutStore; now: () => Date; minBakeMs: number };

async function advanceOne(deps: Deps, rollout: Rollout, firing: readonly string[]): Promise<RolloutAdvance | undefined> {
  const now = deps.now();
  const pointer = await deps.store.pointerOf(rollout);
  if (rollout.state === 'completing') return finish(deps, rollout, pointer, firing, now);
  // The rollout applies only on top of the version it started from: anything else is someone's later write.
  if (!untouchedSinceStart(rollout, pointer)) return record(deps, rollout, changedDuring(rollout), now);
  const step = nextRolloutStep(rollout, { now, firing, minBakeMs: deps.minBakeMs });
  if (!step) return undefined;
  if (step.kind !== 'complete') return record(deps, rollout, step, now);
  const completing = applyRolloutStep(rollout, step, now);
  // Of two drivers, only the one whose `completing` was written moves the pointer.
  if (!(await deps.store.save(completing))) return report(rollout, step, false);
  const finished = await finish(deps, completing, pointer, firing, now);
  return finished.step === 'done' ? { ...finished, step: 'complete' } : finished;
}

/** A `completing` rollout: move the pointer if it is still where the rollout started, else stop; an alarm rolls it back. */
async function finish(deps: Deps, rollout: Rollout, pointer: LayerPointer | undefined, firing: readonly string[], now: Date): Promise<RolloutAdvance> {
  const movedByUs = pointer?.version === rollout.toVersion && pointer.updatedBy === rolloutAuthor(rollout);
  if (firing.length > 0) {
    const step: RolloutStep = { kind: 'roll-back', reason: `alarm ${[...firing].sort().join(', ')} in ALARM` };
    const movedBack = movedByUs ? await deps.store.movePointer(rollout, rollout.toVersion, rollout.fromVersion) : 'moved';
    if (movedBack === 'moved') return record(deps, rollout, step, now);
    const why = movedBack === 'invalid' ? `version ${rollout.fromVersion} no longer validates` : `${layerName(rollout.layer)} was changed meanwhile`;
    return record(deps, rollout, { kind: 'roll-back', reason: `${step.reason}; ${why}: the pointer was left at version ${pointer?.version}` }, now);
  }
  if (movedByUs) return record(deps, rollout, { kind: 'done' }, now);
  // Never promote over a pointer someone moved after the rollout started (back to fromVersion included).
  if (!untouchedSinceStart(rollout, pointer)) return record(deps, rollout, changedDuring(rollout), now);
  const moved = await deps.store.movePointer(rollout, rollout.fromVersion, rollout.toVersion);
  if (moved === 'invalid') return record(deps, rollout, { kind: 'roll-back', reason: `version ${rollout.toVersion} of ${layerName(rollout.layer)} no longer validates` }, now);
  if (moved === 'layer-changed') return record(deps, rollout, changedDuring(rollout), now);
  return record(deps, rollout, { kind: 'done' }, now);
}

function changedDuring(rollout: Rollout): RolloutStep {
  return { kind: 'roll-back', reason: `${layerName(rollout.layer)} was changed during the rollout` };
}

/** The pointer is the very write the rollout started from: same version, written at the same time. */
function untouchedSinceStart(rollout: Rollout, pointer: LayerPointer | undefined): boolean {
  return pointer?.version === rollout.fromVersion && (rollout.fromUpdatedAt === undefined || pointer.updatedAt === rollout.fromUpdatedAt);
}

async function record(deps: Deps, rollout: Rollout, step: RolloutStep, now: Date): Promise<RolloutAdvance> {
  return report(rollout, step, await deps.store.save(applyRolloutStep(rollout, step, now)));
}

function report(rollout: Rollout, step: RolloutStep, applied: boolean): RolloutAdvance {
  return { rollout: rollout.id, layer: layerName(rollout.layer), step: step.kind, applied, ...(step.kind === 'roll-back' ? { reason: step.reason } : {}) };
}
