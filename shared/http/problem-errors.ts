import type { MiddlewareObj } from '@middy/core';
import { AppError } from '../errors.js';
import type { FunctionObservability } from '../observability/function-observability.js';
import { problemResponse } from './problem.js';
import { statusOf } from './problem-statuses.js';
import type { HttpEvent, HttpResult } from './types.js';

/**
 * The one place where errors become HTTP: RFC 9457 problem+json, never a stack trace. The
 * problem's code joins the request's keys, so the answer record (request-telemetry.ts) says why;
 * only a failure of ours (5xx) is logged apart, with its error.
 */
export function problemErrors({ logger, keys }: Pick<FunctionObservability, 'logger' | 'keys'>): MiddlewareObj<HttpEvent, HttpResult> {
  return {
    onError: function respondWithProblem(request) {
      const { error } = request;
      const ours = error instanceof AppError ? error : undefined;
      if (ours) keys.append({ problem: ours.code });
      if (!ours || statusOf(ours) >= 500) logger.error('request failed', { error: error as Error });
      request.response = problemResponse(error, request.event.requestContext?.http?.path);
    },
  };
}
