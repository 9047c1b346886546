import { throwIfAborted } from './abort.js';
import { ConfigRejectedError, InvalidResponseError, SignedPayError } from './errors.js';
import { exchange, isRecord, type Transport } from './http.js';
import { apiErrorOf } from './problem.js';
import { webCryptoSubtle } from './random.js';
import { type RetryPolicy, withRetries } from './retry.js';
import { configProblemOf, countryConfigOf } from './country-config.js';
import type { ClientConfig, ConfigDefaults, ConfigFrom, ConfigOptions, ConfigResponse } from './types.js';

/** Where the last good configuration is kept across restarts: `localStorage`, React Native's AsyncStorage, ... */
export interface ConfigStorage {
  getItem(key: string): string | null | Promise<string | null>;
  setItem(key: string, value: string): void | Promise<void>;
  /** Optional: lets the SDK delete what it will never use again (an older SDK's entry, one that no longer verifies). */
  removeItem?(key: string): void | Promise<void>;
}

/** An answer as its signature says it. */
export type SignedAnswer = Omit<ConfigResponse, 'signature'>;

export interface SignedConfig {
  /** The compact JWS as received: storage keeps it, and a restart verifies it again. */
  signature: string;
  answer: SignedAnswer;
  /** The signature's iat, ms since the epoch: an answer signed before the copy's never replaces it. */
  issuedAt: number;
  /** The signature's exp, ms since the epoch. */
  expiresAt: number;
}

/**
 * Verifies a signed configuration for the request it answers (`country` as asked, undefined when
 * the service finds it) and, for an answer just received, that its `body` says what the
 * signature says (signed-config.ts). Whether it has expired is the loader's to judge.
 */
export type ConfigVerifier = (signature: unknown, country: string | undefined, body?: Record<string, unknown>) => Promise<SignedConfig>;

interface CachedConfig {
  /** The verified answer: only its signature is stored, and verified again when loaded. */
  signed: SignedConfig;
  etag: string | undefined;
  /** When the answer (a 200 or a 304) was received, ms since the epoch. */
  receivedAt: number;
  /** How long it stays fresh from then: Cache-Control max-age less Age, never past the signature's exp. */
  freshForMs: number;
  /**
   * How long after it is no longer fresh it may still answer when the service cannot be reached:
   * Cache-Control stale-if-error (RFC 5861, counted from the end of max-age), never past exp.
   */
  staleIfErrorMs: number;
  /** The service said it served its last known configuration (x-config-stale). */
  serverStale: boolean;
}

export interface ConfigDeps {
  transport: Transport;
  retry: RetryPolicy;
  storage: ConfigStorage | undefined;
  now: () => number;
  verify: ConfigVerifier;
  /** Checked by configDefaultsOf. */
  defaults: Required<ConfigDefaults> | undefined;
}

/** 2: the signed answer is stored (1 stored the bare body, which nothing proves: such an entry is never read, and deleted where storage can). */
const STORAGE_VERSION = 2;
/**
 * The service's and the device's clocks may disagree a little: an answer just received is refused
 * as expired only this long past exp. Such an answer is answered once, never kept.
 */
const CLOCK_TOLERANCE_MS = 60_000;

/**
 * getConfig: the configuration for a country (or for wherever the service finds the client).
 * 1. A fresh copy of a verified answer (memory, then storage, where it is verified again) is
 *    answered without the network, as Cache-Control allows and never past its signature's exp.
 * 2. Otherwise ask, with If-None-Match when the copy's signature is current: 304 renews the
 *    copy; a 200 is believed only as its signature says (signed-config.ts) and replaces it,
 *    unless it was signed before the copy (iat) with another version while the copy is current:
 *    a replayed answer never rolls the app back, the copy answers (`from: 'cache'`, `stale: true`).
 * 3. When the service cannot be reached, fails, or its answer is refused, answer the copy marked
 *    `stale: true` (after max-age only within stale-if-error, and never past its signature's
 *    exp: Cache-Control is not signed), else the app's `defaults`, else throw: a typed error,
 *    after the retries when nothing could answer instead. An abort is never answered from the
 *    copy: the caller gave up on the call.
 */
export function configLoader(deps: ConfigDeps): (options?: ConfigOptions) => Promise<ClientConfig> {
  const memory = new Map<string, CachedConfig>();
  const storageKey = (key: string, version = STORAGE_VERSION) => `signed-pay:config:v${version}:${deps.transport.baseUrl}:${key}`;
  const forget = async (storageKeys: string[]) => {
    try {
      for (const name of storageKeys) await deps.storage?.removeItem?.(name);
    } catch {
      // Left behind, it is only ignored.
    }
  };

  async function cached(key: string, country: string | undefined): Promise<CachedConfig | undefined> {
    const inMemory = memory.get(key);
    if (inMemory || !deps.storage) return inMemory;
    try {
      const stored = storedOf(await deps.storage.getItem(storageKey(key)));
      if (!stored) return undefined;
      const entry: CachedConfig = { ...stored.entry, signed: await deps.verify(stored.signature, country) };
      memory.set(key, entry);
      return entry;
    } catch (error) {
      // Storage is a cache: unreadable, refused, or not verifiable now (no keys offline) means empty.
      if (error instanceof ConfigRejectedError) await forget([storageKey(key)]);
      return undefined;
    }
  }

  async function keep(key: string, entry: CachedConfig): Promise<void> {
    memory.set(key, entry);
    const { signed, ...rest } = entry;
    try {
      await deps.storage?.setItem(storageKey(key), JSON.stringify({ v: STORAGE_VERSION, signature: signed.signature, ...rest }));
    } catch {
      // Full or unavailable storage (private browsing): the memory copy still serves this session.
      return;
    }
    // What the SDK kept before configuration was signed: the bare body, which nothing proves.
    await forget([storageKey(key, 1)]);
  }

  /** Whoever is on the path sets Cache-Control: it may shorten how long a copy serves, never stretch it past the signed exp. */
  const servable = (copy: CachedConfig, at: number) => at <= Math.min(copy.signed.expiresAt, copy.receivedAt + copy.freshForMs + copy.staleIfErrorMs);

  return async function getConfig(options = {}) {
    const { signal } = options;
    throwIfAborted(signal);
    // Even where a copy or defaults could answer: without it no answer can ever be verified, which must not pass unnoticed.
    webCryptoSubtle('to verify configuration answers (ES256)');
    const country = options.country?.trim().toUpperCase() || undefined;
    const key = country ?? 'auto';
    const copy = await cached(key, country);
    throwIfAborted(signal);
    const now = deps.now();
    if (copy && now - copy.receivedAt < copy.freshForMs && now < copy.signed.expiresAt) return answerOf(copy, 'cache', copy.serverStale);

    // A 304 to a copy past its exp would renew a signature that no longer proves anything.
    const etag = copy && now < copy.signed.expiresAt ? copy.etag : undefined;
    const path = `/v1/config${country ? `?country=${encodeURIComponent(country)}` : ''}`;
    // With something to answer instead, a failure is answered at once rather than after retries.
    const retry = (copy && servable(copy, now)) || deps.defaults ? { ...deps.retry, retries: 0 } : deps.retry;
    try {
      const { entry, store } = await withRetries(retry, signal, async () => {
        const reply = await exchange(deps.transport, { method: 'GET', path, headers: etag ? { 'if-none-match': etag } : {}, signal });
        if (reply.status !== 200 && reply.status !== 304) throw apiErrorOf(reply);
        const receivedAt = deps.now();
        const caching = cachingOf(reply.headers);
        const serverStale = reply.headers.get('x-config-stale') === 'true';
        let signed: SignedConfig;
        if (reply.status === 304) {
          if (!copy || !etag) throw new InvalidResponseError('The service answered 304 to a request that had no If-None-Match');
          signed = copy.signed;
        } else {
          if (!isRecord(reply.body)) throw new InvalidResponseError('The configuration response is invalid: not a JSON object');
          signed = await deps.verify(reply.body.signature, country, reply.body);
        }
        if (receivedAt > signed.expiresAt + CLOCK_TOLERANCE_MS) {
          throw new ConfigRejectedError('expired', `The configuration answer's signature expired at ${new Date(signed.expiresAt).toISOString()}`);
        }
        const etagOfAnswer = reply.status === 304 ? copy?.etag : (reply.headers.get('etag') ?? undefined);
        // Within the clock tolerance past exp: answered this once, never kept.
        return { entry: entryOf(signed, etagOfAnswer, receivedAt, caching, serverStale), store: caching.store && receivedAt <= signed.expiresAt };
      });
      if (copy && rollsBack(entry.signed, copy.signed, deps.now())) return answerOf(copy, 'cache', true);
      if (store) await keep(key, entry);
      return answerOf(entry, 'network', entry.serverStale);
    } catch (error) {
      // An answer nothing proves is no better than none: whoever can alter it can also drop it.
      const unusable = error instanceof SignedPayError && (error.retryable || error instanceof ConfigRejectedError || error instanceof InvalidResponseError);
      if (!unusable) throw error;
      if (copy && servable(copy, deps.now())) return answerOf(copy, 'cache', true);
      if (deps.defaults) return defaultsAnswerOf(deps.defaults);
      throw error;
    }
  };
}

/** The `defaults` option, checked as a signed answer's config is (https legal URLs included), and copied. */
export function configDefaultsOf(value: ConfigDefaults | undefined): Required<ConfigDefaults> | undefined {
  if (value === undefined) return undefined;
  if (!isRecord(value)) throw new TypeError('defaults must be { version?, config }, config shaped as getConfig answers it');
  const { version = 'defaults', config } = value;
  if (typeof version !== 'string' || version === '') throw new TypeError('defaults.version must be a non-empty string');
  const problem = configProblemOf(config);
  if (problem) throw new TypeError(`defaults.${problem.member} must be ${problem.expected}`);
  return { version, config: countryConfigOf(config) };
}

/**
 * An answer signed before the copy, of another version, while the copy's signature is current:
 * a replay (or a cache serving an older answer), which must never roll the app back.
 */
function rollsBack(answer: SignedConfig, copy: SignedConfig, now: number): boolean {
  return answer.issuedAt < copy.issuedAt && answer.answer.version !== copy.answer.version && now <= copy.expiresAt;
}

function entryOf(signed: SignedConfig, etag: string | undefined, receivedAt: number, caching: Caching, serverStale: boolean): CachedConfig {
  const freshForMs = Math.max(0, Math.min(caching.freshForMs, signed.expiresAt - receivedAt));
  return { signed, etag, receivedAt, freshForMs, staleIfErrorMs: caching.staleIfErrorMs, serverStale };
}

function answerOf(entry: CachedConfig, from: ConfigFrom, stale: boolean): ClientConfig {
  // A copy, so that a caller changing its answer cannot change the cache.
  const { answer } = entry.signed;
  return { ...answer, config: countryConfigOf(answer.config), stale, from };
}

function defaultsAnswerOf(defaults: Required<ConfigDefaults>): ClientConfig {
  return { country: null, source: 'default', version: defaults.version, config: countryConfigOf(defaults.config), stale: true, from: 'defaults' };
}

interface Caching {
  freshForMs: number;
  staleIfErrorMs: number;
  store: boolean;
}

/**
 * RFC 9111: fresh for max-age less the Age a shared cache reports; no-cache means revalidate
 * every time, no-store keep nothing. RFC 5861's stale-if-error: counted from the end of
 * freshness, as the service sizes it (max-age plus stale-if-error end at the signature's exp).
 */
function cachingOf(headers: Headers): Caching {
  const directives = (headers.get('cache-control') ?? '').toLowerCase().split(',').map((part) => part.trim());
  const seconds = (name: string) => Number(directives.map((directive) => new RegExp(`^${name}=(\\d+)$`).exec(directive)?.[1]).find(Boolean) ?? 0);
  const staleIfErrorMs = seconds('stale-if-error') * 1000;
  if (directives.includes('no-store')) return { freshForMs: 0, staleIfErrorMs, store: false };
  if (directives.includes('no-cache')) return { freshForMs: 0, staleIfErrorMs, store: true };
  const age = Number(/^\d+$/.exec(headers.get('age') ?? '')?.[0] ?? 0);
  return { freshForMs: Math.max(0, seconds('max-age') - age) * 1000, staleIfErrorMs, store: true };
}

function storedOf(text: string | null): { signature: string; entry: Omit<CachedConfig, 'signed'> } | undefined {
  if (!text) return undefined;
  const value = JSON.parse(text) as unknown;
  if (!isRecord(value) || value.v !== STORAGE_VERSION) return undefined;
  const { signature, etag, receivedAt, freshForMs, staleIfErrorMs, serverStale } = value;
  if (typeof signature !== 'string' || typeof serverStale !== 'boolean') return undefined;
  if (![receivedAt, freshForMs, staleIfErrorMs].every((ms) => typeof ms === 'number' && ms >= 0)) return undefined;
  if (etag !== undefined && typeof etag !== 'string') return undefined;
  return { signature, entry: { etag, receivedAt: receivedAt as number, freshForMs: freshForMs as number, staleIfErrorMs: staleIfErrorMs as number, serverStale } };
}
