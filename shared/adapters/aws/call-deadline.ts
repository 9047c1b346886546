import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * The moment (epoch ms) by which every AWS call of the current request must have settled, so
 * that the function answers before Lambda (and API Gateway) give up on it. The HTTP stack sets
 * it per invocation from the remaining Lambda time; adapters turn it into the SDK's abort signal,
 * which ends an attempt, its retries and their backoff alike.
 */
const deadlines = new AsyncLocalStorage<number>();

export function runWithDeadline<T>(deadlineEpochMs: number, work: () => Promise<T>): Promise<T> {
  return deadlines.run(deadlineEpochMs, work);
}

/** The deadline passed: the call is not even started. */
export class DeadlineExceededError extends Error {
  override readonly name = 'DeadlineExceededError';
}

/**
 * The options of `client.send(command, options)` within the current deadline. Outside a request
 * (a CLI, a seed) there is none, and only the client's own timeouts apply. The AbortSignal is made
 * here, per AWS call, so requests that make none (a warm verification) pay nothing for it.
 */
export function withinDeadline(now: () => number = Date.now): { abortSignal?: AbortSignal } {
  const deadline = deadlines.getStore();
  if (deadline === undefined) return {};
  const remaining = deadline - now();
  if (remaining <= 0) throw new DeadlineExceededError('The request deadline passed before this AWS call started');
  return { abortSignal: AbortSignal.timeout(remaining) };
}
