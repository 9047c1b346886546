import { abortableSleep, throwIfAborted } from './abort.js';
import { ApiError, SignedPayError } from './errors.js';

export interface RetryPolicy {
  /** Attempts after the first. */
  retries: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

/**
 * Runs `attempt` until it succeeds, fails with an error that is not retryable, or the retries
 * are spent; the last error is thrown. Delays grow exponentially with full jitter (a random
 * delay up to base × 2^n, capped), so that clients failing together do not retry together,
 * and are never shorter than a Retry-After the service sent. An aborted `signal` ends it at
 * once with the abort's reason: no further attempt, no waiting out the delay.
 */
export async function withRetries<T>(policy: RetryPolicy, signal: AbortSignal | undefined, attempt: (index: number) => Promise<T>): Promise<T> {
  for (let index = 0; ; index += 1) {
    throwIfAborted(signal);
    try {
      return await attempt(index);
    } catch (error) {
      throwIfAborted(signal);
      if (!(error instanceof SignedPayError) || !error.retryable || index >= policy.retries) throw error;
      await abortableSleep(delayBefore(index + 1, policy, error instanceof ApiError ? error.retryAfterMs : undefined), signal);
    }
  }
}

export function delayBefore(retry: number, policy: RetryPolicy, retryAfterMs: number | undefined): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (retry - 1));
  const jittered = Math.random() * ceiling;
  return Math.min(policy.maxDelayMs, Math.max(jittered, retryAfterMs ?? 0));
}
