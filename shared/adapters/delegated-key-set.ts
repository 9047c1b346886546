import { DELEGATION_CLOCK_TOLERANCE_SECONDS, type DelegationScope, jwkThumbprintSchema } from '../domain/delegation/delegation.js';
import type { DelegationRegistry } from '../domain/delegation/delegation-registry.js';
import type { CheckedDelegation } from '../domain/delegation/delegation-rule.js';
import { SIGNING_ALGORITHM } from '../domain/settlement/payment-response.js';
import type { KeyLookup, SignatureKey, TrustedKeys } from '../domain/verification/trusted-keys.js';
import { isOutage } from './aws/outage.js';
import { signatureKeyOf } from './public-jwk.js';
import { checkRegisteredDelegation, RootKeyUnavailableError } from './registered-delegation-check.js';
import { RevocationList } from './revocation-list.js';

export interface DelegatedKeySetOptions {
  scope: DelegationScope;
  issuer: string;
  /** How often the revocation list is read while delegated keys are in use. */
  revocationCheckSeconds: number;
  /** A kid the registry does not know is not asked for again before this. @default 10 */
  unknownKidRetrySeconds?: number;
  /**
   * At most this many registry reads a second for kids not seen before; beyond it a lookup is
   * KEYS_UNAVAILABLE (retryable), so a flood of made-up kids costs a bounded number of reads. @default 20
   */
  registryReadsPerSecond?: number;
  now?: () => number;
  /** The registry could not be read, or holds a delegation that fails its checks (the handler logs it). */
  onProblem?: (message: string, details: Record<string, unknown>) => void;
}

/** Kids remembered (trusted or unknown); past it the memory starts over, so a flood cannot grow it. */
const MAX_REMEMBERED_KIDS = 10_000;

type Remembered = { trusted: CheckedDelegation & { key: SignatureKey } } | { unknownUntil: number };

/**
 * The root keys, and the keys they delegated signing to. A kid that is not a root key's is looked
 * up in the delegation registry once, and trusted only if its delegation carries a valid
 * signature of a root key, delegates this token kind, to exactly this key, for at most an hour;
 * its tokens then pass only within the delegation's window (the use case checks `iat`), and not
 * at all once it is revoked. Keys embedded in tokens are never looked at (compact-jws.ts refuses
 * such headers).
 *
 * Costs: a known kid, no read; an unknown kid, one read per kid per `unknownKidRetrySeconds`,
 * within a budget of reads per second; the revocation list, one read per
 * `revocationCheckSeconds` while delegated tokens arrive.
 */
export class DelegatedKeySet implements TrustedKeys {
  readonly #remembered = new Map<string, Remembered>();
  readonly #reading = new Map<string, Promise<Remembered | undefined>>();
  readonly #options: Required<Omit<DelegatedKeySetOptions, 'onProblem'>> & Pick<DelegatedKeySetOptions, 'onProblem'>;
  readonly #revocations: RevocationList;
  #budget = { second: 0, reads: 0 };

  constructor(
    private readonly roots: TrustedKeys,
    private readonly registry: Pick<DelegationRegistry, 'get' | 'revokedKids'>,
    options: DelegatedKeySetOptions,
  ) {
    this.#options = { unknownKidRetrySeconds: 10, registryReadsPerSecond: 20, now: Date.now, ...options };
    this.#revocations = new RevocationList(registry, {
      scope: options.scope,
      checkSeconds: options.revocationCheckSeconds,
      now: this.#options.now,
      onReadFailure: (error) => this.#options.onProblem?.('could not read the revocation list', { error }),
    });
  }

  async keyFor(kid: string): Promise<KeyLookup> {
    const root = await this.roots.keyFor(kid);
    if (root.status !== 'unknown' || !jwkThumbprintSchema.safeParse(kid).success) return root;

    let remembered = this.#remembered.get(kid);
    // An unknown kid is read again once its retry time has come: its delegation may be new.
    if (remembered && 'unknownUntil' in remembered && this.#seconds() >= remembered.unknownUntil) remembered = undefined;
    remembered ??= await this.#read(kid);
    if (remembered === undefined) return { status: 'unavailable' };
    if ('unknownUntil' in remembered) return { status: 'unknown' };

    await this.#revocations.refresh();
    // A list we could not read for a while may be missing a revocation: nothing delegated passes then.
    if (!this.#revocations.isFresh()) return { status: 'unavailable' };
    if (this.#revocations.has(kid)) return { status: 'revoked' };
    const { key, window } = remembered.trusted;
    const expired = this.#seconds() > window.expires + DELEGATION_CLOCK_TOLERANCE_SECONDS;
    return expired ? { status: 'expired', key, delegated: window } : { status: 'trusted', key, delegated: window };
  }

  /** One read per kid at a time, within the budget; undefined when nothing could be decided. */
  #read(kid: string): Promise<Remembered | undefined> {
    const pending = this.#reading.get(kid);
    if (pending) return pending;
    if (!this.#withinBudget()) return Promise.resolve(undefined);
    const reading = this.#lookUp(kid).finally(() => this.#reading.delete(kid));
    this.#reading.set(kid, reading);
    return reading;
  }

  /** An outage is undecided (KEYS_UNAVAILABLE, retryable); any other failure is a bug of ours and propagates (500). */
  async #lookUp(kid: string): Promise<Remembered | undefined> {
    const { scope, issuer } = this.#options;
    try {
      const registered = await this.registry.get(scope, kid);
      if (!registered) return this.#remember(kid, { unknownUntil: this.#seconds() + this.#options.unknownKidRetrySeconds });
      if (registered.revokedAt) this.#revocations.add(kid);
      const checked = await checkRegisteredDelegation(this.roots, registered, { issuer, scope });
      if (!checked.ok) {
        this.#options.onProblem?.('the registry holds a delegation that fails its checks', { kid, problem: checked.problem });
        return this.#remember(kid, { unknownUntil: this.#seconds() + this.#options.unknownKidRetrySeconds });
      }
      const key = signatureKeyOf({ ...checked.delegation.jwk, kid, alg: SIGNING_ALGORITHM, use: 'sig' });
      return this.#remember(kid, { trusted: { ...checked.delegation, key } });
    } catch (error) {
      if (!(error instanceof RootKeyUnavailableError) && !isOutage(error)) throw error;
      this.#options.onProblem?.('could not read a delegation', { kid, error });
      return undefined;
    }
  }

  #remember(kid: string, entry: Remembered): Remembered {
    if (this.#remembered.size >= MAX_REMEMBERED_KIDS) this.#remembered.clear();
    this.#remembered.set(kid, entry);
    return entry;
  }

  #withinBudget(): boolean {
    const second = this.#seconds();
    if (this.#budget.second !== second) this.#budget = { second, reads: 0 };
    this.#budget.reads += 1;
    return this.#budget.reads <= this.#options.registryReadsPerSecond;
  }

  #seconds(): number {
    return Math.floor(this.#options.now() / 1000);
  }
}
