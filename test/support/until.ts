import { setTimeout as pause } from 'node:timers/promises';

/**
 * Asks `probe` every `everyMs` until it returns something other than undefined, and returns that.
 * For what a test cannot be told by an event (a container's backoff running out, a lock expiring):
 * it waits as long as needed, no longer, however slow the machine.
 */
export async function until<T>(
  probe: () => Promise<T | undefined> | T | undefined,
  { everyMs = 50, withinMs = 10_000, what = 'the awaited condition' }: { everyMs?: number; withinMs?: number; what?: string } = {},
): Promise<T> {
  const deadline = performance.now() + withinMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (performance.now() > deadline) throw new Error(`${what} did not happen within ${withinMs} ms`);
    await pause(everyMs);
  }
}
