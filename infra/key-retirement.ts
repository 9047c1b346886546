/**
 * When a payment-key generation may stop being trusted, deployed and local alike. A generation
 * stops being current at a rotation; from then on two things still show its signatures to
 * verifiers: receipts merchants keep and check later, and replays, since settlement answers a
 * retried Idempotency-Key with the response as first signed. Retiring the generation before both
 * have run out turns those receipts into `UNKNOWN_KEY`.
 */

/**
 * How long settlement replays a payment's stored response: for as long as the ledger keeps the
 * record, which is forever (shared/domain/settlement/ledger-record.ts, README "Idempotency"). The
 * replay is the response as first signed, never signed again: re-signing what the ledger holds
 * would let anyone who can write the ledger table have any claims signed by KMS, which the key
 * policies exist to prevent. So no retirement window ever ends and every retirement is forced.
 * This is the one place that says so: if replays ever stop carrying a retired key's signature
 * (say, Idempotency-Keys that expire), change it here.
 */
export const IDEMPOTENT_REPLAY_LIFETIME_HOURS = Number.POSITIVE_INFINITY;

const HOUR_MS = 3_600_000;

/**
 * The instant a generation that stopped being current at `stoppedAt` may be retired: after the
 * longer of the receipt life the operator chose and the replay lifetime. `undefined`: never.
 */
export function retirementWindowEnd(
  stoppedAt: Date,
  receiptVerifiableHours: number,
  replayLifetimeHours: number = IDEMPOTENT_REPLAY_LIFETIME_HOURS,
): Date | undefined {
  const hours = Math.max(receiptVerifiableHours, replayLifetimeHours);
  return Number.isFinite(hours) ? new Date(stoppedAt.getTime() + hours * HOUR_MS) : undefined;
}

export function isInsideRetirementWindow(now: Date, windowEnd: Date | undefined): boolean {
  return windowEnd === undefined || now.getTime() < windowEnd.getTime();
}

/** A retirement refused because the generation's responses may still be checked or replayed. */
export class RetirementInsideWindowError extends Error {
  readonly code = 'RETIREMENT_INSIDE_WINDOW';

  /** `key` names what would be retired: "generation 1", or a local key. */
  constructor(
    readonly key: string,
    readonly stoppedAt: Date,
    readonly windowEnd: Date | undefined,
    receiptVerifiableHours: number,
    howToForce: string,
  ) {
    const until =
      windowEnd === undefined
        ? 'for as long as the ledger replays them, which is forever'
        : `until ${windowEnd.toISOString()}`;
    super(
      `${key} is still inside its retirement window: it stopped being current at ${stoppedAt.toISOString()}, ` +
        `and its responses must keep verifying ${until} (the longer of receiptVerifiableHours, ${receiptVerifiableHours} h, ` +
        `and the idempotency replay lifetime: a retried Idempotency-Key gets the response as first signed). ` +
        `Keep it trusted, or force the retirement (${howToForce}), accepting that its responses, replays included, then verify UNKNOWN_KEY.`,
    );
    this.name = 'RetirementInsideWindowError';
  }
}
