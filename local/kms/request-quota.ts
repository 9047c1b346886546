// A request quota as KMS states its own: at most N requests in any one second. A sliding window over
// the times of accepted requests is exact (no refill rounding): a test's clock says when the next fits.
const WINDOW_MS = 1_000;

export class RequestQuota {
  /** When each request accepted in the last second arrived, oldest first. */
  readonly #accepted: number[] = [];

  /** `now` in milliseconds, never going back: performance.now() by default, not the wall clock. */
  constructor(readonly requestsPerSecond: number, private readonly now: () => number = () => performance.now()) {
    if (!Number.isInteger(requestsPerSecond) || requestsPerSecond < 1) {
      throw new RangeError(`requestsPerSecond must be a whole number above 0, got ${requestsPerSecond}`);
    }
  }

  /** Counts the request against the quota if it fits, and says whether it did: a refused one uses up nothing. */
  tryAccept(): boolean {
    const now = this.now();
    while (this.#accepted.length > 0 && now - this.#accepted[0]! >= WINDOW_MS) this.#accepted.shift();
    if (this.#accepted.length >= this.requestsPerSecond) return false;
    this.#accepted.push(now);
    return true;
  }
}
