import { type Auth, type AuthHeaders, type AuthRequest, authHookOf } from './auth.js';
import { type ConfigStorage, configDefaultsOf, configLoader } from './config.js';
import { configKeysOf } from './config-keys.js';
import { confirmer } from './confirm.js';
import type { FetchLike, Transport } from './http.js';
import type { RetryPolicy } from './retry.js';
import { type SettleOptions, settler } from './settle.js';
import { configVerifier } from './signed-config.js';
import type {
  ClientConfig,
  ConfigDefaults,
  ConfigKeySet,
  ConfigOptions,
  ConfirmOptions,
  ExpectedPayment,
  PaymentConfirmation,
  Settlement,
  SettlementRequest,
  VerdictKeySet,
} from './types.js';
import { verdictChecker } from './verdict.js';
import { verdictKeysOf } from './verdict-keys.js';

export * from './errors.js';
export type * from './types.js';
export { VERIFICATION_REASONS } from './types.js';
export type { Auth, AuthHeaders, AuthRequest, ConfigStorage, FetchLike, SettleOptions };

export interface ClientOptions {
  /** The API's origin (and stage path, if any), e.g. `http://127.0.0.1:3000`. */
  baseUrl: string;
  /** Defaults to the runtime's global fetch, looked up at each call. */
  fetch?: FetchLike;
  /** Per HTTP exchange, body included; a call's own `signal` can end it sooner. Default 10 000. */
  timeoutMs?: number;
  /** Retries after the first attempt, for failures that may pass (network, timeout, 5xx, 409, 429). Default 3. */
  retries?: number;
  /** Backoff: full jitter up to baseMs × 2^n, at most maxMs. Default 200 and 5 000. */
  backoff?: { baseMs?: number; maxMs?: number };
  /** Keeps the last good configuration across restarts, e.g. `localStorage`: its signed answer, verified again when loaded. */
  storage?: ConfigStorage;
  /** The clock for configuration freshness and signature expiry, ms since the epoch. Default Date.now. */
  now?: () => number;
  /**
   * The keys that sign configuration answers (the config key: never the verdict or payment key).
   * An answer is used and kept only with a signature of one of them, saying what the answer says.
   * - A JWK Set: pinned public keys, e.g. /.well-known/config-jwks.json bundled into the app at
   *   build time: then no one who controls the transport to `baseUrl` can configure the app.
   *   A stored copy is then verified offline too.
   * - A URL: a key set the app trusts apart from `baseUrl`; https (http only for localhost and
   *   127.0.0.1), on another origin than `baseUrl`.
   * - Omitted: `baseUrl`'s /.well-known/config-jwks.json. It catches whoever alters answers but
   *   not the key set; whoever controls the transport to `baseUrl` can serve both. A restart
   *   cannot verify its stored copy before the key set is fetched.
   */
  configKeys?: ConfigKeySet | string;
  /**
   * The configuration `getConfig` answers (`from: 'defaults'`, `stale: true`) when the service
   * cannot be reached, or its answer is refused, and no verified copy may answer: before the
   * first verified answer, or once the copy's stale-if-error window or its signature (exp) has
   * ended. Checked here as a signed answer is (legal URLs absolute https). `version` defaults to
   * 'defaults'.
   */
  defaults?: ConfigDefaults;
  /**
   * The keys that nonce mode checks verdicts against.
   * - A JWK Set (`{ keys: [...] }`): pinned public keys, e.g. /.well-known/verdict-jwks.json
   *   bundled into the app at build time. A verdict then proves the answer even to an app whose
   *   transport to `baseUrl` is controlled by an attacker (a proxy it was made to trust, a
   *   compromised CDN or gateway). Ship the new key set before the verdict key changes.
   *   In delegated signing mode the pinned root keys still anchor trust: for a verdict signed by
   *   an ephemeral key, the SDK fetches that key's delegation from `baseUrl`'s key set and
   *   accepts the key only if a pinned key signed the delegation, for verdicts, and it is
   *   current. Delegated keys in the set you pin are not pinned themselves.
   * - A URL: a key set the app trusts apart from `baseUrl`, e.g. served by its own backend; https
   *   (http only for localhost and 127.0.0.1), on another origin than `baseUrl`.
   * - Omitted: `baseUrl`'s /.well-known/verdict-jwks.json, fetched like the answer. The verdict
   *   then proves the answer to anyone who trusts that origin's TLS (e.g. your server, to which
   *   the app forwards it); on the device it only catches whoever alters answers but not the key
   *   set. It does NOT protect against whoever controls the transport to `baseUrl`: they can
   *   serve their own key set and sign a verdict to match. Pin the keys for that.
   */
  verdictKeys?: VerdictKeySet | string;
  /**
   * How `settle` authenticates; configuration and verification are public and never get it.
   * - `{ headers }`: sent as they are, e.g. `{ authorization: 'Bearer <token>' }` for a
   *   deployment whose settlement route has a JWT authorizer.
   * - `(request) => headers` (or a promise of them): called for every attempt with the request
   *   about to be sent (method, url, headers, body), so a retry gets a fresh token, or a fresh
   *   SigV4 signature for an IAM-authorized deployment (README: the SigV4 recipe).
   * Its headers are added to the SDK's (never replacing them), never followed through a
   * redirect, and never logged nor copied into errors. `settle`'s own `auth` option overrides it.
   */
  auth?: Auth;
}

export interface SignedPayClient {
  /**
   * The configuration for `country`, or for wherever the service finds the client to be: as a
   * signature by the config key says it, or the app's `defaults`. `from` says which.
   */
  getConfig(options?: ConfigOptions): Promise<ClientConfig>;
  /**
   * Settles a payment once, retrying with one Idempotency-Key. Resolves settled and declined
   * payments alike. Rejects with WebCryptoUnavailableError, before any request, when it must
   * make the key and the runtime has no crypto.getRandomValues.
   */
  settle(request: SettlementRequest, options?: SettleOptions): Promise<Settlement>;
  /**
   * Asks the verification service whether the payment response proves a completed payment of
   * `expected` (its order and amount are required). Rejects with a TypeError, before any
   * request, when `expected` lacks them, and with WebCryptoUnavailableError in nonce mode on a
   * runtime without crypto.getRandomValues and crypto.subtle.
   */
  confirmPayment(paymentResponse: string, expected: ExpectedPayment, options?: ConfirmOptions): Promise<PaymentConfirmation>;
}

export function createClient(options: ClientOptions): SignedPayClient {
  if ('maxStaleMs' in options) throw new TypeError("maxStaleMs is no longer an option: a verified configuration is never answered past its signature's exp");
  const transport: Transport = {
    baseUrl: baseUrlOf(options.baseUrl),
    // Looked up per call and called as a plain function: browsers refuse a fetch detached from window.
    fetch: options.fetch ?? ((input, init) => globalThis.fetch(input, init)),
    timeoutMs: count(options.timeoutMs, 10_000, 'timeoutMs', 1),
  };
  const retry: RetryPolicy = {
    retries: count(options.retries, 3, 'retries', 0),
    baseDelayMs: count(options.backoff?.baseMs, 200, 'backoff.baseMs', 0),
    maxDelayMs: count(options.backoff?.maxMs, 5_000, 'backoff.maxMs', 0),
  };
  const verifyConfig = configVerifier(configKeysOf(options.configKeys, transport, options.verdictKeys));
  return {
    getConfig: configLoader({
      transport,
      retry,
      storage: options.storage,
      now: options.now ?? Date.now,
      verify: verifyConfig,
      defaults: configDefaultsOf(options.defaults),
    }),
    settle: settler({ transport, retry, authorize: authHookOf(options.auth, 'auth') }),
    confirmPayment: confirmer({ transport, retry, checkVerdict: verdictChecker(verdictKeysOf(options.verdictKeys, transport)) }),
  };
}

function baseUrlOf(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new TypeError(`baseUrl must be an absolute http(s) URL, got '${value}'`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new TypeError(`baseUrl must be an http(s) URL, got '${value}'`);
  if (url.search || url.hash) throw new TypeError('baseUrl must have no query string or fragment');
  return url.href.replace(/\/+$/, '');
}

function count(value: number | undefined, fallback: number, name: string, min: number): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < min) throw new TypeError(`${name} must be an integer of at least ${min}, got ${value}`);
  return value;
}
