import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * The moment (epoch ms) by which every AWS call of the current request must have settled, so
 * that the function answers before Lambda (and API Gateway) give up on it. The HTTP stack sets
 * it per invocation from the remaining Lambda time; adapters turn it into the SDK's abort signal,
 * which ends an attempt, its retries and their backoff alike.
 *
 * Where it is kept: a request that starts while no other is in flight (every request on Lambda,
 * which gives a container one invocation at a time) keeps it in a variable, as the Lambda
 * runtime's own InvokeStore does; only a request that starts while another is in flight (the
 * local stack, a host running invocations side by side) keeps it in an AsyncLocalStorage, which
 * follows that request's own async work. The storage puts an async hook on every promise of the
 * process from its first use on: 5-12 µs of a warm verification, measured on a 2-core machine,
 * which a request running alone has no use for. test/http/request-deadline.test.ts holds both.
 */
const deadlinesOfOverlappingRequests = new AsyncLocalStorage<number>();
let deadlineOfLoneRequest: number | undefined;
let requestsInFlight = 0;

export async function runWithDeadline<T>(deadlineEpochMs: number, work: () => Promise<T>): Promise<T> {
  const alone = requestsInFlight === 0;
  requestsInFlight += 1;
  if (alone) deadlineOfLoneRequest = deadlineEpochMs;
  try {
    return await (alone ? work() : deadlinesOfOverlappingRequests.run(deadlineEpochMs, work));
  } finally {
    requestsInFlight -= 1;
    if (alone) deadlineOfLoneRequest = undefined;
  }
}

let startingBackgroundWork = 0;

/**
 * Starts work a request kicks off but does not wait for (a signer preparing its next key): the
 * AWS calls it starts synchronously, before its first await, get no request deadline, only the
 * client's own timeouts. A Lambda container frozen after the request answered would otherwise
 * thaw with that call's deadline long past.
 */
export function startOutsideRequestDeadline<T>(start: () => T): T {
  startingBackgroundWork += 1;
  try {
    return start();
  } finally {
    startingBackgroundWork -= 1;
  }
}

/** The deadline passed: the call is not even started. */
export class DeadlineExceededError extends Error {
  override readonly name = 'DeadlineExceededError';
}

/**
 * The options of `client.send(command, options)` within the current deadline. Outside a request
 * (a CLI, a seed, work a request left running after it answered) there is none, and only the
 * client's own timeouts apply; such code shares the deadline of a lone request in flight at the
 * time, as nothing tells the two apart without the storage. The AbortSignal is made here, per AWS
 * call, so requests that make none (a warm verification) pay nothing for it.
 */
export function withinDeadline(now: () => number = Date.now): { abortSignal?: AbortSignal } {
  if (startingBackgroundWork > 0) return {};
  // An overlapping request's async work always finds its own deadline in the storage; anything else finds none there.
  const deadline = deadlinesOfOverlappingRequests.getStore() ?? deadlineOfLoneRequest;
  if (deadline === undefined) return {};
  const remaining = deadline - now();
  if (remaining <= 0) throw new DeadlineExceededError('The request deadline passed before this AWS call started');
  return { abortSignal: AbortSignal.timeout(remaining) };
}
