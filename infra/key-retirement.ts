/**
 * When a payment-key generation may stop being trusted, deployed and local alike. A generation
 * stops being current at a rotation; from then on two things still show its signatures to
 * verifiers: receipts merchants keep and check later, and answers settlement gives while it may
 * still sign with it. Retiring the generation before both have run out turns them into `UNKNOWN_KEY`.
 */

/**
 * How long after a rotation a replayed Idempotency-Key may still carry the previous key's
 * signature. Not the ledger's life (it keeps payments forever): settlement answers a replay of a
 * payment signed by a key that is no longer current with the same claims signed by the current key
 * (shared/use-cases/current-key-replay.ts). What is left is the time settlement may still sign
 * with the previous key: the deploy that makes the new key current rolling out, or rolled back.
 * A day covers both with room; receipts merchants keep are the operator's receiptVerifiableHours.
 */
export const IDEMPOTENT_REPLAY_LIFETIME_HOURS = 24;

const HOUR_MS = 3_600_000;

/** The instant a generation that stopped being current at `stoppedAt` may be retired: after the longer of the receipt life the operator chose and the replay lifetime. */
export function retirementWindowEnd(
  stoppedAt: Date,
  receiptVerifiableHours: number,
  replayLifetimeHours: number = IDEMPOTENT_REPLAY_LIFETIME_HOURS,
): Date {
  return new Date(stoppedAt.getTime() + Math.max(receiptVerifiableHours, replayLifetimeHours) * HOUR_MS);
}

export function isInsideRetirementWindow(now: Date, windowEnd: Date): boolean {
  return now.getTime() < windowEnd.getTime();
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
        `and the idempotency replay lifetime, ${IDEMPOTENT_REPLAY_LIFETIME_HOURS} h). ` +
        `Keep it trusted, or force the retirement (${howToForce}), accepting that receipts it signed then verify UNKNOWN_KEY (replays are answered in the current key).`,
    );
    this.name = 'RetirementInsideWindowError';
  }
}
