import type { MiddlewareObj } from '@middy/core';
import { AppError } from '../errors.js';
import { logger } from '../observability/logger.js';
import { problemResponse } from './problem.js';
import { statusOf } from './problem-statuses.js';
import type { HttpEvent, HttpResult } from './types.js';

/** The one place where errors become HTTP: RFC 9457 problem+json, never a stack trace. */
export function problemErrors(): MiddlewareObj<HttpEvent, HttpResult> {
  return {
    onError: function respondWithProblem(request) {
      const { error, event } = request;
      // Only failures are logged, so the request's identity is added here rather than to every request.
      const where = { requestId: event.requestContext?.requestId, route: event.routeKey };
      if (error instanceof AppError && statusOf(error) < 500) {
        logger.info('request refused', { ...where, code: error.code, status: statusOf(error) });
      } else {
        logger.error('request failed', { ...where, error: error as Error });
      }
      request.response = problemResponse(error, request.event.requestContext?.http?.path);
    },
  };
}
