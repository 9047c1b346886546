/**
 * A value built on first use and shared after: how a handler puts off loading the AWS SDK until
 * a request needs it. Concurrent first uses share one build; a failed build is not kept, so the
 * next use tries again.
 */
export function onFirstUse<T>(build: () => Promise<T>): () => Promise<T> {
  let built: Promise<T> | undefined;
  return () =>
    (built ??= build().catch((error: unknown) => {
      built = undefined;
      throw error;
    }));
}
