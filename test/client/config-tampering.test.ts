// Issue 14, end to end: an attacker on the network between the app and the real local stack
// rewrites GET /v1/config answers (another currency, a javascript: terms URL, cached for a
// year). The SDK refuses what the config key did not sign, keeps and answers its last verified
// configuration, or the app's defaults, and never stores the altered answer.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ClientConfig, type ConfigKeySet, ConfigRejectedError, createClient, type ConfigDefaults } from '../../client/src/index.js';
import { startTestStack, type TestStack } from '../support/test-stack.js';
import { configSigningKey, memoryStorage } from './support.js';

const CONFIG_KEYS_PATH = '/.well-known/config-jwks.json';
const DEFAULTS: ConfigDefaults = {
  version: 'app-defaults-1',
  config: {
    currency: 'USD',
    locale: 'en-US',
    paymentMethods: ['card'],
    features: {},
    legal: { termsUrl: 'https://shop.example/terms', privacyUrl: 'https://shop.example/privacy' },
  },
};

/** What the attacker does to one answer: returns the body and headers to send instead, or nothing to pass it on. */
type Rewrite = (path: string, status: number, body: any, headers: Record<string, string>) => Promise<{ body: unknown; headers?: Record<string, string> } | undefined>;

let stack: TestStack;
let proxy: { url: string; rewrite: Rewrite | undefined; close(): Promise<void> };
/** The service's config key set, as an app bundles it. */
let pinned: ConfigKeySet;
beforeAll(async () => {
  stack = await startTestStack();
  proxy = await tamperingProxy(stack.url);
  pinned = (await (await fetch(`${stack.url}${CONFIG_KEYS_PATH}`)).json()) as ConfigKeySet;
});
afterAll(async () => {
  await proxy?.close();
  await stack?.stop();
});

function clock() {
  let now = Date.now();
  return { now: () => now, advance: (ms: number) => void (now += ms) };
}

/** Another currency and a javascript: terms URL in the body, the signature kept, and Cache-Control for a year. */
const alteredAnswer: Rewrite = async (path, status, body) => {
  if (!path.startsWith('/v1/config') || status !== 200) return undefined;
  const config = { ...body.config, currency: 'USD', legal: { ...body.config.legal, termsUrl: 'javascript:alert(1)' } };
  return { body: { ...body, config }, headers: { 'cache-control': 'public, max-age=31536000' } };
};

const refusal = (promise: Promise<unknown>) => promise.then(() => expect.fail('expected a refusal'), (error: unknown) => error as ConfigRejectedError);
const neverAltered = (answer: ClientConfig) => {
  expect(answer.config.currency).not.toBe('USD');
  expect(answer.config.legal.termsUrl).toMatch(/^https:\/\//);
};

describe('GET /v1/config through a tampering proxy, in front of the real local stack', () => {
  it('the service signs its answers, and the SDK verifies them through the proxy when it passes them on', async () => {
    proxy.rewrite = undefined;
    const answer = await createClient({ baseUrl: proxy.url }).getConfig({ country: 'JP' });
    expect(answer).toMatchObject({ country: 'JP', from: 'network', stale: false, config: { currency: 'JPY' } });
  });

  it('an expired answer is refused: a genuine one the attacker kept and replays after its exp', async () => {
    const genuine = (await (await fetch(`${stack.url}/v1/config?country=JP`)).json()) as { signature: string };
    proxy.rewrite = async (path, status) => (path.startsWith('/v1/config') && status === 200 ? { body: genuine, headers: { 'cache-control': 'public, max-age=31536000' } } : undefined);
    const twoDaysLater = () => Date.now() + 2 * 86_400_000; // the signature lives a day
    const error = await refusal(createClient({ baseUrl: proxy.url, configKeys: pinned, now: twoDaysLater }).getConfig({ country: 'JP' }));
    expect(error).toMatchObject({ code: 'config-rejected', check: 'expired', retryable: false });
    const storage = memoryStorage();
    const withDefaults = createClient({ baseUrl: proxy.url, configKeys: pinned, now: twoDaysLater, storage, defaults: DEFAULTS });
    expect(await withDefaults.getConfig({ country: 'JP' })).toMatchObject({ from: 'defaults', version: 'app-defaults-1' });
  });

  it('an altered answer is refused, with no copy and no defaults', async () => {
    proxy.rewrite = alteredAnswer;
    const error = await refusal(createClient({ baseUrl: proxy.url, configKeys: pinned }).getConfig({ country: 'JP' }));
    expect(error).toBeInstanceOf(ConfigRejectedError);
    expect(error).toMatchObject({ code: 'config-rejected', check: 'mismatch', retryable: false });
  });

  it('an altered answer leaves the last verified configuration in use and in storage, and is never cached for its year', async () => {
    const time = clock();
    const storage = memoryStorage();
    const pay = createClient({ baseUrl: proxy.url, configKeys: pinned, storage, now: time.now });
    proxy.rewrite = undefined;
    const verified = await pay.getConfig({ country: 'JP' });
    const stored = [...storage.items.values()];

    proxy.rewrite = alteredAnswer;
    time.advance(61_000);
    const duringAttack = await pay.getConfig({ country: 'JP' });
    expect(duringAttack).toEqual({ ...verified, stale: true, from: 'cache' });
    neverAltered(duringAttack);
    expect([...storage.items.values()]).toEqual(stored);

    proxy.rewrite = undefined;
    time.advance(1_000);
    expect(await pay.getConfig({ country: 'JP' })).toEqual({ ...verified, from: 'network' });
    const restarted = createClient({ baseUrl: proxy.url, configKeys: pinned, storage, now: time.now });
    neverAltered(await restarted.getConfig({ country: 'JP' }));
  });

  it("an app that never reached the service starts from its defaults, not from the attacker's configuration", async () => {
    proxy.rewrite = alteredAnswer;
    const answer = await createClient({ baseUrl: proxy.url, configKeys: pinned, defaults: DEFAULTS }).getConfig({ country: 'JP' });
    expect(answer).toEqual({ country: null, source: 'default', version: 'app-defaults-1', config: DEFAULTS.config, stale: true, from: 'defaults' });
  });

  it('refuses the claims rewritten under the service signature, and an answer stripped of it', async () => {
    proxy.rewrite = async (path, status, body) => {
      if (!path.startsWith('/v1/config') || status !== 200) return undefined;
      const [header, payload, signature] = (body.signature as string).split('.');
      const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString('utf8'));
      const config = { ...claims.config, currency: 'USD' };
      const rewritten = Buffer.from(JSON.stringify({ ...claims, config })).toString('base64url');
      return { body: { ...body, config, signature: `${header}.${rewritten}.${signature}` } };
    };
    expect(await refusal(createClient({ baseUrl: proxy.url }).getConfig({ country: 'DE' }))).toMatchObject({ check: 'signature' });

    proxy.rewrite = async (path, status, body) => (path.startsWith('/v1/config') && status === 200 ? { body: { ...body, signature: undefined } } : undefined);
    expect(await refusal(createClient({ baseUrl: proxy.url }).getConfig({ country: 'DE' }))).toMatchObject({ check: 'unsigned' });
  });

  it("refuses the attacker's own key and signature when the keys are pinned; with keys fetched from baseUrl, only pinning stops that", async () => {
    const attackerKey = await configSigningKey('attacker');
    proxy.rewrite = async (path, status, body) => {
      if (path === CONFIG_KEYS_PATH) return { body: attackerKey.keySet };
      if (!path.startsWith('/v1/config') || status !== 200) return undefined;
      const { signature: _, explain: __, ...answer } = body;
      return { body: await attackerKey.signedBody({ ...answer, config: { ...answer.config, currency: 'USD' } }) };
    };
    expect(await refusal(createClient({ baseUrl: proxy.url, configKeys: pinned }).getConfig({ country: 'FR' }))).toMatchObject({ check: 'signature' });
    // Documented (README, configKeys): whoever controls the transport to baseUrl serves both the answer and the key set.
    expect(await createClient({ baseUrl: proxy.url }).getConfig({ country: 'FR' })).toMatchObject({ from: 'network', config: { currency: 'USD' } });
  });

  it('refuses a javascript: terms URL signed by whatever key the app trusts', async () => {
    const attackerKey = await configSigningKey('attacker');
    proxy.rewrite = async (path, status, body) => {
      if (!path.startsWith('/v1/config') || status !== 200) return undefined;
      const { signature: _, ...answer } = body;
      return { body: await attackerKey.signedBody({ ...answer, config: { ...answer.config, legal: { ...answer.config.legal, termsUrl: 'javascript:alert(1)' } } }) };
    };
    const pay = createClient({ baseUrl: proxy.url, configKeys: attackerKey.keySet });
    expect(await refusal(pay.getConfig({ country: 'GB' }))).toMatchObject({ check: 'url' });
  });
});

/** An HTTP proxy to `upstream` that lets `rewrite` change answers on their way back. */
async function tamperingProxy(upstream: string): Promise<{ url: string; rewrite: Rewrite | undefined; close(): Promise<void> }> {
  const state: { rewrite: Rewrite | undefined } = { rewrite: undefined };
  const server: Server = createServer((request, response) => {
    void (async () => {
      const path = request.url ?? '/';
      // A rewriting attacker drops If-None-Match: a 304 has no body to alter.
      const answer = await fetch(`${upstream}${path}`, { method: request.method, headers: forwardable(request.headers, state.rewrite ? ['if-none-match'] : []) });
      const headers: Record<string, string> = {};
      answer.headers.forEach((value, name) => {
        if (!['content-length', 'content-encoding', 'transfer-encoding', 'connection', 'keep-alive'].includes(name)) headers[name] = value;
      });
      const text = await answer.text();
      const changed = state.rewrite && text ? await state.rewrite(path, answer.status, JSON.parse(text), headers) : undefined;
      const out = changed ? JSON.stringify(changed.body) : text;
      response.writeHead(answer.status, { ...headers, ...changed?.headers, 'content-length': String(Buffer.byteLength(out)) }).end(out);
    })().catch((error: unknown) => response.writeHead(502).end(String(error)));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    get rewrite() {
      return state.rewrite;
    },
    set rewrite(next) {
      state.rewrite = next;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function forwardable(headers: IncomingHttpHeaders, dropped: string[]): Record<string, string> {
  const forwarded: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (typeof value === 'string' && !['host', 'connection', ...dropped].includes(name)) forwarded[name] = value;
  }
  return forwarded;
}
