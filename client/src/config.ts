import { throwIfAborted } from './abort.js';
import { InvalidResponseError, SignedPayError } from './errors.js';
import { exchange, isRecord, type Transport } from './http.js';
import { apiErrorOf } from './problem.js';
import { type RetryPolicy, withRetries } from './retry.js';
import type { ClientConfig, ConfigOptions, ConfigResponse, CountrySource } from './types.js';

/** Where the last good configuration is kept across restarts: `localStorage`, React Native's AsyncStorage, ... */
export interface ConfigStorage {
  getItem(key: string): string | null | Promise<string | null>;
  setItem(key: string, value: string): void | Promise<void>;
}

interface CachedConfig {
  response: ConfigResponse;
  etag: string | undefined;
  /** When the answer (a 200 or a 304) was received, ms since the epoch. */
  receivedAt: number;
  /** How long it stays fresh from then (Cache-Control max-age less Age). */
  freshForMs: number;
  /** The service said it served its last known configuration (x-config-stale). */
  serverStale: boolean;
}

export interface ConfigDeps {
  transport: Transport;
  retry: RetryPolicy;
  storage: ConfigStorage | undefined;
  now: () => number;
}

const SOURCES: readonly CountrySource[] = ['query', 'cloudfront', 'accept-language', 'default'];
const STORAGE_VERSION = 1;

/**
 * getConfig: the configuration for a country (or for wherever the service finds the client).
 * 1. A fresh copy (memory, then storage) is answered without the network, as Cache-Control allows.
 * 2. Otherwise ask, with If-None-Match when a copy exists: 304 renews the copy, 200 replaces it.
 * 3. When the service cannot be reached (or fails), the copy is answered marked `stale: true`;
 *    with no copy the error is thrown (typed, retryable), after the retries. An abort is never
 *    answered from the copy: the caller gave up on the call.
 */
export function configLoader(deps: ConfigDeps): (options?: ConfigOptions) => Promise<ClientConfig> {
  const memory = new Map<string, CachedConfig>();
  const storageKey = (key: string) => `signed-pay:config:v${STORAGE_VERSION}:${deps.transport.baseUrl}:${key}`;

  async function cached(key: string): Promise<CachedConfig | undefined> {
    const inMemory = memory.get(key);
    if (inMemory || !deps.storage) return inMemory;
    try {
      const stored = readStored(await deps.storage.getItem(storageKey(key)));
      if (stored) memory.set(key, stored);
      return stored;
    } catch {
      return undefined; // storage is a cache: unreadable means empty
    }
  }

  async function keep(key: string, entry: CachedConfig): Promise<void> {
    memory.set(key, entry);
    try {
      await deps.storage?.setItem(storageKey(key), JSON.stringify({ v: STORAGE_VERSION, ...entry }));
    } catch {
      // Full or unavailable storage (private browsing): the memory copy still serves this session.
    }
  }

  return async function getConfig(options = {}) {
    const { signal } = options;
    throwIfAborted(signal);
    const country = options.country?.trim().toUpperCase();
    const key = country || 'auto';
    const copy = await cached(key);
    const now = deps.now();
    if (copy && now - copy.receivedAt < copy.freshForMs) return answerOf(copy, false);

    const path = `/v1/config${country ? `?country=${encodeURIComponent(country)}` : ''}`;
    try {
      // With a copy in hand, a failure is answered from it at once rather than after retries.
      const answer = await withRetries(copy ? { ...deps.retry, retries: 0 } : deps.retry, signal, async () => {
        const reply = await exchange(deps.transport, {
          method: 'GET',
          path,
          headers: copy?.etag ? { 'if-none-match': copy.etag } : {},
          signal,
        });
        if (reply.status !== 200 && reply.status !== 304) throw apiErrorOf(reply);
        return reply;
      });
      const freshness = freshnessOf(answer.headers);
      const serverStale = answer.headers.get('x-config-stale') === 'true';
      if (answer.status === 304) {
        if (!copy) throw new InvalidResponseError('The service answered 304 to a request that had no If-None-Match');
        const renewed = { ...copy, receivedAt: deps.now(), freshForMs: freshness.freshForMs, serverStale };
        await keep(key, renewed);
        return answerOf(renewed, false);
      }
      const entry: CachedConfig = {
        response: configResponseOf(answer.body),
        etag: answer.headers.get('etag') ?? undefined,
        receivedAt: deps.now(),
        freshForMs: freshness.freshForMs,
        serverStale,
      };
      if (freshness.store) await keep(key, entry);
      return answerOf(entry, false);
    } catch (error) {
      if (copy && error instanceof SignedPayError && error.retryable) return answerOf(copy, true);
      throw error;
    }
  };
}

function answerOf(entry: CachedConfig, unreachable: boolean): ClientConfig {
  // A copy, so that a caller changing its answer cannot change the cache (JSON: every runtime has it).
  return { ...(JSON.parse(JSON.stringify(entry.response)) as ConfigResponse), stale: unreachable || entry.serverStale };
}

/** RFC 9111: fresh for max-age less the Age a shared cache reports; no-cache means revalidate every time. */
function freshnessOf(headers: Headers): { freshForMs: number; store: boolean } {
  const directives = (headers.get('cache-control') ?? '').toLowerCase().split(',').map((part) => part.trim());
  if (directives.includes('no-store')) return { freshForMs: 0, store: false };
  if (directives.includes('no-cache')) return { freshForMs: 0, store: true };
  const maxAge = Number(directives.map((directive) => /^max-age=(\d+)$/.exec(directive)?.[1]).find(Boolean) ?? 0);
  const age = Number(/^\d+$/.exec(headers.get('age') ?? '')?.[0] ?? 0);
  return { freshForMs: Math.max(0, maxAge - age) * 1000, store: true };
}

function readStored(text: string | null): CachedConfig | undefined {
  if (!text) return undefined;
  const value = JSON.parse(text) as unknown;
  if (!isRecord(value) || value.v !== STORAGE_VERSION) return undefined;
  const { response, etag, receivedAt, freshForMs, serverStale } = value;
  if (typeof receivedAt !== 'number' || typeof freshForMs !== 'number' || typeof serverStale !== 'boolean') return undefined;
  if (etag !== undefined && typeof etag !== 'string') return undefined;
  return { response: configResponseOf(response), etag, receivedAt, freshForMs, serverStale };
}

/** Checks the parts a client relies on; the service validated the content when it was written. */
export function configResponseOf(body: unknown): ConfigResponse {
  const invalid = (what: string) => new InvalidResponseError(`The configuration response is invalid: ${what}`);
  if (!isRecord(body)) throw invalid('not a JSON object');
  const { country, source, version, config } = body;
  if (country !== null && (typeof country !== 'string' || !/^[A-Z]{2}$/.test(country))) throw invalid('country');
  if (!SOURCES.includes(source as CountrySource)) throw invalid('source');
  if (typeof version !== 'string') throw invalid('version');
  if (!isRecord(config)) throw invalid('config');
  const { currency, locale, paymentMethods, features, legal } = config;
  if (typeof currency !== 'string' || !/^[A-Z]{3}$/.test(currency)) throw invalid('config.currency');
  if (typeof locale !== 'string' || locale === '') throw invalid('config.locale');
  if (!Array.isArray(paymentMethods) || !paymentMethods.every((method) => typeof method === 'string')) throw invalid('config.paymentMethods');
  if (!isRecord(features) || !Object.values(features).every((flag) => typeof flag === 'boolean')) throw invalid('config.features');
  if (!isRecord(legal) || typeof legal.termsUrl !== 'string' || typeof legal.privacyUrl !== 'string') throw invalid('config.legal');
  return {
    country: country as string | null,
    source: source as CountrySource,
    version,
    config: {
      currency,
      locale,
      paymentMethods: paymentMethods as string[],
      features: features as Record<string, boolean>,
      legal: { termsUrl: legal.termsUrl, privacyUrl: legal.privacyUrl },
    },
  };
}
