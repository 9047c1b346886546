/**
 * The caller's AbortSignal, as fetch honours it: an aborted call rejects with `signal.reason`
 * (a DOMException named AbortError unless the caller gave abort() a reason of its own).
 */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw abortReasonOf(signal);
}

export function abortReasonOf(signal: AbortSignal): unknown {
  if (signal.reason !== undefined) return signal.reason;
  // Runtimes older than AbortSignal.reason (some React Native versions) abort without one.
  if (typeof DOMException === 'function') return new DOMException('This operation was aborted', 'AbortError');
  return Object.assign(new Error('This operation was aborted'), { name: 'AbortError' });
}

/**
 * One signal for one exchange: aborted by the caller's signal or by the SDK's timeout, whichever
 * comes first. A controller and a listener rather than AbortSignal.any, which React Native and
 * older Safari lack; `release` removes the listener, so a long-lived caller signal keeps none.
 */
export function exchangeSignal(callerSignal: AbortSignal | undefined, timeoutMs: number): { signal: AbortSignal; timedOut: () => boolean; release: () => void } {
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, timeoutMs);
  const onCallerAbort = () => controller.abort(callerSignal && abortReasonOf(callerSignal));
  if (callerSignal?.aborted) onCallerAbort();
  else callerSignal?.addEventListener('abort', onCallerAbort, { once: true });
  return {
    signal: controller.signal,
    timedOut: () => timedOut,
    release: () => {
      clearTimeout(timer);
      callerSignal?.removeEventListener('abort', onCallerAbort);
    },
  };
}

/** A delay that ends early, rejecting, when the caller aborts. */
export function abortableSleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    throwIfAborted(signal);
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortReasonOf(signal!));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
