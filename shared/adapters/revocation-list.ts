import type { DelegationScope } from '../domain/delegation/delegation.js';
import type { DelegationRegistry } from '../domain/delegation/delegation-registry.js';

/**
 * The revoked kids of one scope, as one container knows them: read again once `checkSeconds`
 * have passed since the last attempt (concurrent callers share one read). Revocations are only
 * ever added. `isFresh` says whether the last successful read is recent enough to act on: past
 * max(30 s, three intervals) without one, a container must assume it missed a revocation.
 */
export class RevocationList {
  readonly #revoked = new Set<string>();
  readonly #staleAfterMs: number;
  #readAt = Number.NEGATIVE_INFINITY;
  #triedAt = Number.NEGATIVE_INFINITY;
  #reading: Promise<void> | undefined;
  /** Why the last read failed, for the error a caller reports while the list is stale. */
  lastReadFailure: unknown;

  constructor(
    private readonly registry: Pick<DelegationRegistry, 'revokedKids'>,
    private readonly options: {
      scope: DelegationScope;
      checkSeconds: number;
      now: () => number;
      /** The list could not be read (the handler logs it; the last list stands meanwhile). */
      onReadFailure?: (error: unknown) => void;
    },
  ) {
    this.#staleAfterMs = Math.max(30, 3 * options.checkSeconds) * 1000;
  }

  /** Reads the list if it is due; never throws. */
  async refresh(): Promise<void> {
    if (this.options.now() - this.#triedAt < this.options.checkSeconds * 1000) return;
    this.#reading ??= this.registry
      .revokedKids(this.options.scope)
      .then((revoked) => {
        for (const kid of revoked) this.#revoked.add(kid);
        this.#readAt = this.options.now();
      })
      .catch((error: unknown) => {
        this.lastReadFailure = error;
        this.options.onReadFailure?.(error);
      })
      .finally(() => {
        this.#triedAt = this.options.now();
        this.#reading = undefined;
      });
    await this.#reading;
  }

  /** Learnt from elsewhere (a delegation read with its revokedAt). */
  add(kid: string): void {
    this.#revoked.add(kid);
  }

  has(kid: string): boolean {
    return this.#revoked.has(kid);
  }

  isFresh(): boolean {
    return this.options.now() - this.#readAt <= this.#staleAfterMs;
  }

  /** Whether what began at `epochMs` is younger than the staleness limit: too young to have missed a revocation. */
  isFreshSince(epochMs: number): boolean {
    return this.options.now() - epochMs <= this.#staleAfterMs;
  }
}
