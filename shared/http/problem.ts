import { AppError } from '../errors.js';
import { statusOf } from './problem-statuses.js';
import type { HttpResult } from './types.js';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** Problem types are relative URIs documented in the README's error table. */
export function problemTypeOf(code: string): string {
  return `/problems/${code}`;
}

/**
 * RFC 9457 problem details. Errors below 500 are the caller's and say what to fix; anything
 * else becomes a generic 500 so that no internals (messages, stacks, ARNs) leak.
 */
export function problemResponse(error: unknown, instance?: string): HttpResult {
  const ours = error instanceof AppError ? error : undefined;
  const ourStatus = ours ? statusOf(ours) : 500;
  const known = ourStatus < 500 ? ours : undefined;
  const exposed = ourStatus >= 500 ? ours : undefined;
  const status = ourStatus;
  const body = known
    ? { type: problemTypeOf(known.code), title: known.title, status, detail: known.detail, ...known.extensions }
    : exposed
      ? // Upstream failures (502, 503) keep their code and fixed text: both are written for callers.
        { type: problemTypeOf(exposed.code), title: exposed.title, status, detail: exposed.detail }
      : {
          type: problemTypeOf('internal'),
          title: 'Internal server error',
          status: 500,
          detail: 'The server failed to handle the request. It has been logged; retrying later may help.',
        };
  const retryAfter = (known ?? exposed)?.retryAfterSeconds;
  return {
    statusCode: status,
    headers: {
      'content-type': PROBLEM_CONTENT_TYPE,
      'cache-control': 'no-store',
      ...(retryAfter === undefined ? {} : { 'retry-after': String(retryAfter) }),
    },
    body: JSON.stringify(instance ? { ...body, instance } : body),
  };
}
