import middy, { type PluginExecutionMode } from '@middy/core';
import httpHeaderNormalizer from '@middy/http-header-normalizer';
import httpSecurityHeaders from '@middy/http-security-headers';
import { runWithDeadline } from '../adapters/aws/call-deadline.js';
import type { FunctionObservability } from '../observability/function-observability.js';
import { requestTelemetry } from '../observability/request-telemetry.js';
import { bodyLimit } from './body-limit.js';
import { executionModeWithoutAbortSignal } from './execution-mode.js';
import { jsonBody, type JsonEvent } from './json-body.js';
import { problemErrors } from './problem-errors.js';
import type { HttpContext, HttpEvent, HttpResult } from './types.js';

type Handler<E> = (event: E, context: HttpContext) => Promise<HttpResult>;

/**
 * Kept back from the Lambda deadline for mapping a failure to its problem and answering: every
 * AWS call of the request must settle before the rest, so the function always answers, and
 * never leaves API Gateway to time out.
 */
export const ANSWER_RESERVE_MS = 500;

function withinLambdaDeadline<E>(handler: Handler<E>): Handler<E> {
  return (event, context) =>
    runWithDeadline(Date.now() + context.getRemainingTimeInMillis() - ANSWER_RESERVE_MS, () => handler(event, context));
}

/**
 * The one middy stack of HTTP functions. Order matters: middy runs `before` top-down and
 * `after`/`onError` bottom-up, so security headers wrap the problem response too, and the
 * request's telemetry, outermost, sees the answer as sent, with the log keys of the request in
 * place on every line until it clears them.
 */
function baseStack<E extends HttpEvent>(observability: FunctionObservability) {
  // No early-timeout response: API Gateway answers a timed-out integration itself, and the
  // timer middy arms for it costs every request a few microseconds (measured in the bench);
  // nor the AbortController middy makes for it per request (execution-mode.ts).
  return middy<E, HttpResult>({ timeoutEarlyInMillis: 0, executionMode: executionModeWithoutAbortSignal as unknown as PluginExecutionMode })
    .use(requestTelemetry(observability) as unknown as middy.MiddlewareObj<E, HttpResult>)
    .use(httpSecurityHeaders({ crossOriginResourcePolicy: { policy: 'cross-origin' } }) as middy.MiddlewareObj<E, HttpResult>)
    .use(httpHeaderNormalizer() as middy.MiddlewareObj<E, HttpResult>)
    .use(problemErrors(observability) as middy.MiddlewareObj<E, HttpResult>)
    .use(bodyLimit() as middy.MiddlewareObj<E, HttpResult>);
}

/** For GET-style routes: no body is read. */
export function httpHandler(observability: FunctionObservability, handler: Handler<HttpEvent>) {
  return baseStack<HttpEvent>(observability).handler(withinLambdaDeadline(handler));
}

/** For routes that take a JSON body (at most 16 KiB). */
export function jsonHttpHandler(observability: FunctionObservability, handler: Handler<JsonEvent>) {
  return baseStack<JsonEvent>(observability).use(jsonBody()).handler(withinLambdaDeadline(handler));
}

export function jsonResponse(statusCode: number, body: unknown, headers: Record<string, string> = {}): HttpResult {
  return { statusCode, headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) };
}
