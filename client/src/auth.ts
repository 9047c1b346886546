import { AuthError } from './errors.js';

/** The settle request as it will be sent: what a signer (SigV4) signs. */
export interface AuthRequest {
  method: string;
  /** The whole URL, e.g. `https://api.example.com/v1/settlements`. */
  url: string;
  /** The headers the SDK sends, names in lower case (`host` is fetch's, from the URL). */
  headers: Readonly<Record<string, string>>;
  /** The JSON body, exactly as sent. */
  body: string;
}

export type AuthHeaders = Record<string, string>;

/**
 * How settle authenticates (configuration and verification are public and never get it):
 * - `{ headers }`: the same headers on every attempt, e.g. `{ authorization: 'Bearer …' }`;
 * - a function of the request, called for every attempt, so a retry gets a fresh token or a
 *   fresh signature (SigV4 signs the date, the headers and the body).
 * Its headers are added to the SDK's, never replace them, and are never logged nor put in errors.
 */
export type Auth = { headers: AuthHeaders } | ((request: AuthRequest) => AuthHeaders | Promise<AuthHeaders>);

export type AuthHook = (request: AuthRequest) => Promise<AuthHeaders>;

// RFC 9110 token characters; values must not break the header line.
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const HEADER_VALUE = /^[^\r\n\0]*$/;

/** The `auth` option as one hook, checked at once when it is static (a TypeError, as for other options). */
export function authHookOf(option: Auth | undefined, where: string): AuthHook | undefined {
  if (option === undefined) return undefined;
  if (typeof option === 'function') {
    return async (request) => {
      let headers: unknown;
      try {
        headers = await option(request);
      } catch (error) {
        throw new AuthError(`The auth function failed${error instanceof Error ? `: ${error.message}` : ''}`, { cause: error });
      }
      const problem = headersProblem(headers);
      if (problem) throw new AuthError(`The auth function must return headers: ${problem}`);
      return lowerCased(headers as AuthHeaders);
    };
  }
  const problem = typeof option === 'object' && option !== null ? headersProblem(option.headers) : 'pass { headers } or a function';
  if (problem) throw new TypeError(`${where} must be { headers } or a function returning headers: ${problem}`);
  const headers = lowerCased(option.headers);
  return async () => headers;
}

/**
 * The headers to send: the SDK's and the auth ones. An auth header may repeat one of the SDK's
 * (a signer returns what it signed) but not change it: the Idempotency-Key and the body's
 * content type are the SDK's to set.
 */
export function withAuthHeaders(sdkHeaders: Record<string, string>, authHeaders: AuthHeaders): Record<string, string> {
  for (const [name, value] of Object.entries(authHeaders)) {
    if (name in sdkHeaders && sdkHeaders[name] !== value) throw new AuthError(`auth may add headers but not change the SDK's '${name}'`);
  }
  return { ...authHeaders, ...sdkHeaders };
}

function headersProblem(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'not an object of header names to values';
  for (const [name, headerValue] of Object.entries(value)) {
    // Names only, never values: they are credentials.
    if (!HEADER_NAME.test(name)) return `'${name}' is not a header name`;
    if (typeof headerValue !== 'string' || !HEADER_VALUE.test(headerValue)) return `the value of '${name}' is not a string of one line`;
  }
  return undefined;
}

function lowerCased(headers: AuthHeaders): AuthHeaders {
  return Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]));
}
