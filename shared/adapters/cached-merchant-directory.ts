import type { Merchant, MerchantDirectory } from '../domain/merchants/merchant.js';

/**
 * The container's memory of who acts for which merchant, kept `ttlMs`: a settlement costs no
 * registry read while it is fresh, and a suspension or a revoked caller takes effect within
 * one TTL. Unknown callers are remembered too, so a caller not (yet) registered costs one read
 * per TTL. Failures are not remembered: the next request asks again.
 */
export class CachedMerchantDirectory implements MerchantDirectory {
  readonly #entries = new Map<string, { merchant: Merchant | undefined; expiresAt: number }>();

  constructor(
    private readonly source: MerchantDirectory,
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
    private readonly maxEntries = 1000,
  ) {}

  async merchantForCaller(callerId: string): Promise<Merchant | undefined> {
    const cached = this.#entries.get(callerId);
    if (cached && cached.expiresAt > this.now()) return cached.merchant;
    const merchant = await this.source.merchantForCaller(callerId);
    // Bounded: callers are authenticated, but a misbehaving identity provider must not grow memory without end.
    if (this.#entries.size >= this.maxEntries) this.#entries.clear();
    this.#entries.set(callerId, { merchant, expiresAt: this.now() + this.ttlMs });
    return merchant;
  }
}
