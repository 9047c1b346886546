import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import type { ConfigKeySet, ConfigResponse, FetchLike } from '../../client/src/index.js';

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
export function memoryStorage(): {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
  items: Map<string, string>;
} {
  const items = new Map<string, string>();
  return { items, getItem: (key) => items.get(key) ?? null, setItem: (key, value) => void items.set(key, value), removeItem: (key) => void items.delete(key) };
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

/** What the config key signs: the answer's members, as GET /v1/config carries them beside `signature`. */
export type ConfigAnswer = Omit<ConfigResponse, 'signature'>;

/** Cache-Control as the config function sends it for a normal answer. */
export const CONFIG_CACHE_CONTROL = 'public, max-age=60, stale-while-revalidate=300, stale-if-error=86400';

export interface SignOptions {
  /** Epoch seconds; default now (from `nowMs`, else the real clock). */
  iat?: number;
  /** Epoch seconds; default a day after iat, as the service signs. */
  exp?: number;
  nowMs?: number;
  /** Header members to change or add (undefined removes one). */
  header?: Record<string, unknown>;
  /** Claims to change or add (undefined removes one). */
  claims?: Record<string, unknown>;
}

/**
 * A config signing key made in the test, as the service's config key signs: ES256, a kid, typ
 * client-config+jwt, and exactly the claims iss, country, source, version, config, iat, exp.
 */
export interface ConfigSigningKey {
  kid: string;
  /** Its public key as /.well-known/config-jwks.json lists it: pin it as `configKeys`. */
  keySet: ConfigKeySet;
  sign(answer: ConfigAnswer, options?: SignOptions): Promise<string>;
  /** The body of a 200 answer: the members and their signature. */
  signedBody(answer: ConfigAnswer, options?: SignOptions): Promise<ConfigResponse>;
}

export async function configSigningKey(kid = 'config-test-key', alg = 'ES256'): Promise<ConfigSigningKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const keySet = { keys: [{ ...(await exportJWK(publicKey)), kid, alg, use: 'sig' }] } as ConfigKeySet;
  async function sign(answer: ConfigAnswer, options: SignOptions = {}): Promise<string> {
    const iat = options.iat ?? Math.floor((options.nowMs ?? Date.now()) / 1000);
    const claims = withChanges({ iss: 'signed-pay-test', ...answer, iat, exp: options.exp ?? iat + 86_400 }, options.claims);
    const header = withChanges({ alg, kid, typ: 'client-config+jwt' }, options.header);
    return new SignJWT(claims).setProtectedHeader(header as { alg: string }).sign(privateKey);
  }
  return { kid, keySet, sign, signedBody: async (answer, options) => ({ ...answer, signature: await sign(answer, options) }) };
}

function withChanges(record: Record<string, unknown>, changes: Record<string, unknown> = {}): Record<string, unknown> {
  const changed = { ...record, ...changes };
  for (const [name, value] of Object.entries(changes)) if (value === undefined) delete changed[name];
  return changed;
}

/** A 200 answer of GET /v1/config with the config function's headers (an ETag of the body, its Cache-Control), `headers` added. */
export function configResponse(body: unknown, headers: Record<string, string> = {}): Response {
  const etag = `"${createHash('sha256').update(JSON.stringify(body)).digest('base64url').slice(0, 32)}"`;
  return jsonResponse(200, body, { etag, 'cache-control': CONFIG_CACHE_CONTROL, ...headers });
}
