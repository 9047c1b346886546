import { IDEMPOTENT_REPLAY_LIFETIME_HOURS } from '../shared/domain/settlement/idempotency.js';

/**
 * When a payment-key generation may stop being trusted, deployed and local alike. A generation
 * stops being current at a rotation; from then on two things still show its signatures to
 * verifiers: receipts merchants keep and check later, and replays, since settlement answers a
 * retried Idempotency-Key with the response as first signed, for IDEMPOTENT_REPLAY_LIFETIME_HOURS.
 * Retiring the generation before both have run out turns those receipts into `UNKNOWN_KEY`.
 * (Replays are never signed again: that would let whoever can write the ledger table have any
 * claims signed by KMS.)
 */
export { IDEMPOTENT_REPLAY_LIFETIME_HOURS };

/**
 * A generation stops being current in the record when `npm run keys -- rotate` runs, but settlement
 * signs with it until the deploy that follows has rolled out, and again if that deploy rolls back:
 * its last signatures may come this much later, and each needs its whole receipt life and replay
 * lifetime after that.
 */
export const ROLLOUT_MARGIN_HOURS = 24;

const HOUR_MS = 3_600_000;

/** The instant a generation that stopped being current at `stoppedAt` may be retired: the longer of the receipt life the operator chose and the replay lifetime, after the rollout margin. */
export function retirementWindowEnd(stoppedAt: Date, receiptVerifiableHours: number, replayLifetimeHours: number = IDEMPOTENT_REPLAY_LIFETIME_HOURS): Date {
  return new Date(stoppedAt.getTime() + (ROLLOUT_MARGIN_HOURS + Math.max(receiptVerifiableHours, replayLifetimeHours)) * HOUR_MS);
}

export function isInsideRetirementWindow(now: Date, windowEnd: Date): boolean {
  return now.getTime() < windowEnd.getTime();
}

/** Why `key`, current until `stoppedAt`, may not be retired at `now`; undefined once its window has passed. */
export function earlyRetirement(key: string, stoppedAt: Date, receiptVerifiableHours: number, now: Date, howToForce: string): RetirementInsideWindowError | undefined {
  const windowEnd = retirementWindowEnd(stoppedAt, receiptVerifiableHours);
  return isInsideRetirementWindow(now, windowEnd) ? new RetirementInsideWindowError(key, stoppedAt, windowEnd, receiptVerifiableHours, howToForce) : undefined;
}

/** A retirement refused because the generation's responses may still be checked or replayed. */
export class RetirementInsideWindowError extends Error {
  readonly code = 'RETIREMENT_INSIDE_WINDOW';

  /** `key` names what would be retired: "generation 1", or a local key. */
  constructor(
    readonly key: string,
    readonly stoppedAt: Date,
    readonly windowEnd: Date,
    receiptVerifiableHours: number,
    howToForce: string,
  ) {
    super(
      `${key} is still inside its retirement window: it stopped being current at ${stoppedAt.toISOString()}, ` +
        `and its responses must keep verifying until ${windowEnd.toISOString()} (the longer of receiptVerifiableHours, ${receiptVerifiableHours} h, ` +
        `and the idempotency replay lifetime, ${IDEMPOTENT_REPLAY_LIFETIME_HOURS} h: a retried Idempotency-Key gets the response as first signed; ` +
        `after ${ROLLOUT_MARGIN_HOURS} h for the deploy to roll out or back). ` +
        `Keep it trusted, or force the retirement (${howToForce}), accepting that its responses, replays included, then verify UNKNOWN_KEY.`,
    );
    this.name = 'RetirementInsideWindowError';
  }
}
