import type middy from '@middy/core';

type Middleware = (request: middy.Request) => unknown;
type LambdaHandler = (event: unknown, context: unknown) => unknown;
interface PluginConfig {
  timeoutEarlyInMillis: number;
}

/**
 * middy's standard execution mode less what our stack never uses: middy's own `runRequest`
 * makes an AbortController per request and reads its signal (for `timeoutEarlyInMillis`, which
 * we turn off, and a third handler argument no handler of ours reads). That is an EventTarget
 * and about 1.5 KiB of garbage per request: some 10 µs of a warm verification, measured by
 * running the verification handler on this mode and on middy's, interleaved in one process.
 *
 * Everything else is middy's: `use()`, the middleware shape, and the order (`before` as used,
 * then the handler, then `after` and `onError` in reverse); a middleware that returns a value
 * or sets `request.earlyResponse` answers at once; an error no `onError` answered is thrown
 * (test/http/http-stack.test.ts runs both modes side by side). Not carried over, as our stack uses
 * none of it: middy's plugin hooks (requestStart, beforeMiddleware, ...), and the `cause` it adds
 * to an error thrown by an `onError` middleware.
 */
export function executionModeWithoutAbortSignal(
  { middyRequest }: { middyRequest: (event: unknown, context: unknown) => middy.Request },
  befores: readonly Middleware[],
  lambdaHandler: LambdaHandler,
  afters: readonly Middleware[],
  onErrors: readonly Middleware[],
  plugin: PluginConfig,
) {
  if (plugin.timeoutEarlyInMillis > 0) {
    throw new Error('executionModeWithoutAbortSignal answers no early timeout: set timeoutEarlyInMillis to 0');
  }
  let handler = lambdaHandler;

  // One async function per request, as middy's; a promise is awaited only where there is one.
  const middyfied = async function runMiddlewaresAndHandler(event: unknown, context: unknown) {
    const request = middyRequest(event, context);
    try {
      let early = answeredEarly(request, befores);
      if (early instanceof Promise) early = await early;
      if (!early) {
        let response = handler(request.event, request.context);
        if (response instanceof Promise) response = await response;
        request.response = response;
        const after = answeredEarly(request, afters);
        if (after instanceof Promise) await after;
      }
    } catch (error) {
      request.response = undefined;
      delete request.earlyResponse;
      request.error = error as Error;
      const onError = answeredEarly(request, onErrors);
      if (onError instanceof Promise) await onError;
      if (request.response === undefined) throw request.error;
    }
    return request.response;
  };
  return Object.assign(middyfied, {
    handler(replacement: LambdaHandler) {
      handler = replacement;
      return middyfied;
    },
  });
}

/**
 * Runs the middlewares in order until one answers; true when one did. Synchronous middlewares
 * (all of ours) cost no promise: the result is one only when a middleware returned one.
 */
function answeredEarly(request: middy.Request, middlewares: readonly Middleware[]): boolean | Promise<boolean> {
  for (let i = 0; i < middlewares.length; i++) {
    const result = middlewares[i]!(request);
    if (result instanceof Promise) {
      return result.then((awaited) => answers(request, awaited) || answeredEarly(request, middlewares.slice(i + 1)));
    }
    if (answers(request, result)) return true;
  }
  return false;
}

function answers(request: middy.Request, result: unknown): boolean {
  if (result !== undefined) request.earlyResponse = result;
  if (!('earlyResponse' in request)) return false;
  request.response = request.earlyResponse;
  return true;
}
