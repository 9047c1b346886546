import { ApiError, InvalidResponseError, NetworkError, SignedPayError, TimeoutError } from './errors.js';

export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

export interface Transport {
  /** Without a trailing slash. */
  baseUrl: string;
  fetch: FetchLike;
  timeoutMs: number;
}

export interface HttpAnswer {
  status: number;
  headers: Headers;
  /** The parsed JSON body; undefined when the body is empty (or not JSON on an error status). */
  body: unknown;
}

export interface HttpRequest {
  method: 'GET' | 'POST';
  path: string;
  headers?: Record<string, string>;
  json?: unknown;
}

/**
 * One HTTP exchange within the timeout, reading the body too. Failures to get an answer
 * become NetworkError or TimeoutError; an answer of any status is returned as it is.
 */
export async function exchange(transport: Transport, request: HttpRequest): Promise<HttpAnswer> {
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, transport.timeoutMs);
  try {
    const headers: Record<string, string> = { accept: 'application/json', ...request.headers };
    if (request.json !== undefined) headers['content-type'] = 'application/json';
    const response = await transport.fetch(`${transport.baseUrl}${request.path}`, {
      method: request.method,
      headers,
      signal: controller.signal,
      ...(request.json === undefined ? {} : { body: JSON.stringify(request.json) }),
    });
    const text = await response.text();
    return { status: response.status, headers: response.headers, body: parseBody(text, response.status) };
  } catch (error) {
    if (error instanceof SignedPayError) throw error;
    if (timedOut) throw new TimeoutError(transport.timeoutMs);
    throw new NetworkError(error);
  } finally {
    clearTimeout(timer);
  }
}

function parseBody(text: string, status: number): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    if (status >= 200 && status < 300) throw new InvalidResponseError(`The service answered ${status} with a body that is not JSON`);
    return undefined;
  }
}

/** The typed error for an answer the operation does not expect. */
export function apiErrorOf(answer: HttpAnswer): ApiError {
  const problem = isRecord(answer.body) ? answer.body : {};
  const type = typeof problem.type === 'string' ? problem.type : '';
  const code = /^\/problems\/([a-z0-9-]{1,64})$/.exec(type)?.[1] ?? 'http-error';
  const title = typeof problem.title === 'string' ? problem.title : `The service answered ${answer.status}`;
  const detail = typeof problem.detail === 'string' ? problem.detail : undefined;
  const retryAfter = answer.headers.get('retry-after');
  const retryAfterMs = retryAfter !== null && /^\d{1,5}$/.test(retryAfter.trim()) ? Number(retryAfter) * 1000 : undefined;
  return new ApiError(code, answer.status, title, detail, retryAfterMs);
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
