import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FetchLike } from '../../client/src/index.js';

export interface Exchange {
  method: string;
  /** The whole URL, origin included. */
  url: string;
  path: string;
  headers: Record<string, string>;
  body: string | undefined;
  status: number | undefined;
}

/**
 * Network conditions for the SDK, in front of the real local stack: records every exchange
 * and lets a test drop, replace or rewrite some. Nothing of the SDK or the service is mocked.
 */
export function network(options: {
  /** Called for each request; return a Response to answer instead of the service, or undefined to pass it on. */
  answer?: (exchange: Exchange, index: number) => Response | undefined | Promise<Response | undefined>;
  /** Called with the service's response; may throw (a lost response) or return another one. */
  after?: (response: Response, exchange: Exchange, index: number) => Response | Promise<Response>;
  /** Rewrites the request body before it is sent (a tampering proxy). */
  before?: (body: string | undefined, exchange: Exchange) => string | undefined;
} = {}): { fetch: FetchLike; exchanges: Exchange[] } {
  const exchanges: Exchange[] = [];
  const fetchThrough: FetchLike = async (input, init = {}) => {
    const url = new URL(input);
    const exchange: Exchange = {
      method: init.method ?? 'GET',
      url: url.href,
      path: `${url.pathname}${url.search}`,
      headers: Object.fromEntries(new Headers(init.headers).entries()),
      body: typeof init.body === 'string' ? init.body : undefined,
      status: undefined,
    };
    const index = exchanges.push(exchange) - 1;
    const replaced = await options.answer?.(exchange, index);
    if (replaced) {
      exchange.status = replaced.status;
      return replaced;
    }
    const body = options.before ? options.before(exchange.body, exchange) : exchange.body;
    const response = await fetch(input, { ...init, ...(body === undefined ? {} : { body }) });
    exchange.status = response.status;
    return options.after ? options.after(response, exchange, index) : response;
  };
  return { fetch: fetchThrough, exchanges };
}

export function jsonResponse(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  const contentType = status >= 400 ? 'application/problem+json' : 'application/json';
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': contentType, ...headers } });
}

/** The same response with its JSON body changed. */
export async function rewritten(response: Response, change: (body: any) => unknown): Promise<Response> {
  const body = change(await response.json());
  return new Response(JSON.stringify(body), { status: response.status, headers: response.headers });
}

/** A compact JWS with its payload changed and its header and signature kept, as a tamperer would. */
export function withAlteredPayload(token: string, change: (claims: any) => unknown): string {
  const [header, payload, signature] = token.split('.') as [string, string, string];
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  return `${header}.${Buffer.from(JSON.stringify(change(claims))).toString('base64url')}.${signature}`;
}

/** A localStorage-like store in memory. */
export function memoryStorage(): { getItem(key: string): string | null; setItem(key: string, value: string): void; items: Map<string, string> } {
  const items = new Map<string, string>();
  return { items, getItem: (key) => items.get(key) ?? null, setItem: (key, value) => void items.set(key, value) };
}

/** A server that accepts requests and never answers them. */
export async function silentServer(): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer(() => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export { unreachableUrl } from '../support/network.js';

/** Fast retries for tests: the policy is the SDK's, only the delays are shorter. */
export const QUICK_BACKOFF = { baseMs: 5, maxMs: 20 };
