import { abortReasonOf, exchangeSignal, throwIfAborted } from './abort.js';
import { type AuthHook, withAuthHeaders } from './auth.js';
import { InvalidResponseError, NetworkError, SignedPayError, TimeoutError } from './errors.js';

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
  /** The caller's signal: aborting it ends the exchange with its reason. */
  signal?: AbortSignal;
  /** Adds credentials to this exchange (settle only). */
  authorize?: AuthHook;
}

/**
 * One HTTP exchange within the timeout, reading the body too. Failures to get an answer
 * become NetworkError or TimeoutError, the caller's abort its reason; an answer of any status
 * is returned as it is.
 */
export async function exchange(transport: Transport, request: HttpRequest): Promise<HttpAnswer> {
  throwIfAborted(request.signal);
  const url = `${transport.baseUrl}${request.path}`;
  const body = request.json === undefined ? undefined : JSON.stringify(request.json);
  let headers: Record<string, string> = { accept: 'application/json', ...request.headers };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (request.authorize) {
    // Before the timer starts: fetching credentials is not the service's time.
    headers = withAuthHeaders(headers, await request.authorize({ method: request.method, url, headers: { ...headers }, body: body ?? '' }));
    throwIfAborted(request.signal);
  }

  const deadline = exchangeSignal(request.signal, transport.timeoutMs);
  try {
    const response = await transport.fetch(url, {
      method: request.method,
      headers,
      signal: deadline.signal,
      // Credentials are for the API alone: a redirect (to wherever) is answered, not followed.
      ...(request.authorize ? { redirect: 'manual' as const } : {}),
      ...(body === undefined ? {} : { body }),
    });
    const text = await response.text();
    return { status: response.status, headers: response.headers, body: parseBody(text, response.status) };
  } catch (error) {
    if (error instanceof SignedPayError) throw error;
    if (request.signal?.aborted) throw abortReasonOf(request.signal);
    if (deadline.timedOut()) throw new TimeoutError(transport.timeoutMs);
    throw new NetworkError(error);
  } finally {
    deadline.release();
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

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The record has exactly these own members, no more, no fewer. */
export function hasExactly(record: object, members: readonly string[]): boolean {
  const present = Object.keys(record);
  return present.length === members.length && members.every((member) => Object.hasOwn(record, member));
}
