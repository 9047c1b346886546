import { ApiError } from './errors.js';
import { type HttpAnswer, isRecord } from './http.js';
import type { ProblemFieldError } from './types.js';

/** The header every answer of the service carries: its id for the request (API Gateway's). */
const REQUEST_ID_HEADER = 'x-request-id';
/** API Gateway's own header with the same id, on the answers it gives itself (401, 403, 429) before any function runs. */
const GATEWAY_REQUEST_ID_HEADER = 'apigw-requestid';

/** The typed error for an answer the operation does not expect: an RFC 9457 problem, or API Gateway's `{ message }`. */
export function apiErrorOf(answer: HttpAnswer, now: number = Date.now()): ApiError {
  const problem = isRecord(answer.body) ? answer.body : undefined;
  const type = typeof problem?.type === 'string' ? problem.type : undefined;
  const gatewayMessage = typeof problem?.message === 'string' ? problem.message : undefined;
  return new ApiError({
    status: answer.status,
    code: /^\/problems\/([a-z0-9-]{1,64})$/.exec(type ?? '')?.[1] ?? 'http-error',
    type,
    title: typeof problem?.title === 'string' ? problem.title : (gatewayMessage ?? `The service answered ${answer.status}`),
    detail: typeof problem?.detail === 'string' ? problem.detail : undefined,
    errors: fieldErrorsOf(problem?.errors),
    requestId: answer.headers.get(REQUEST_ID_HEADER) ?? answer.headers.get(GATEWAY_REQUEST_ID_HEADER) ?? undefined,
    retryAfterMs: retryAfterMsOf(answer.headers.get('retry-after'), now),
    problem,
  });
}

function fieldErrorsOf(value: unknown): ProblemFieldError[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((entry: unknown) =>
    isRecord(entry) && typeof entry.path === 'string' && typeof entry.message === 'string' ? [{ path: entry.path, message: entry.message }] : [],
  );
}

/** RFC 9110 Retry-After: delay-seconds or an HTTP-date. */
function retryAfterMsOf(value: string | null, now: number): number | undefined {
  if (value === null) return undefined;
  const text = value.trim();
  if (/^\d{1,5}$/.test(text)) return Number(text) * 1000;
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
