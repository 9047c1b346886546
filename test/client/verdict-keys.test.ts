import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { decodeJwt, decodeProtectedHeader, exportJWK, generateKeyPair, type JWTHeaderParameters, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ClientOptions, createClient, type ExpectedPayment, VerdictRejectedError, type VerdictKeySet } from '../../client/src/index.js';
import { bearer, startTestStack, type TestStack } from '../support/test-stack.js';
import { type Exchange, jsonResponse, network, QUICK_BACKOFF } from './support.js';

let stack: TestStack;
/** The service's verdict key set, as an app would bundle it when it is built. */
let pinned: VerdictKeySet;
let keyServer: { url: string; close(): Promise<void> };
let declined: { paymentResponse: string; expected: ExpectedPayment };
let settled: { paymentResponse: string; expected: ExpectedPayment };

beforeAll(async () => {
  stack = await startTestStack();
  pinned = (await (await fetch(`${stack.url}/.well-known/verdict-jwks.json`)).json()) as VerdictKeySet;
  keyServer = await serveKeySet(pinned);
  // m_123's backend settles (its dev token); the app only confirms, so its clients carry no token.
  const client = createClient({ baseUrl: stack.url, auth: { headers: bearer(stack.devTokens.m_123!) } });
  declined = await settle(client, 'tok_decline');
  settled = await settle(client, 'tok_success');
});
afterAll(async () => {
  await keyServer?.close();
  await stack?.stop();
});

let orders = 0;
async function settle(client: ReturnType<typeof createClient>, token: string) {
  orders += 1;
  const expected = { merchantId: 'm_123', orderId: `o_keys_${Date.now()}_${orders}`, amount: { value: 1500, currency: 'JPY' } };
  const { paymentResponse } = await client.settle({ ...expected, paymentMethod: { type: 'card', token } });
  return { paymentResponse, expected };
}

const fetchesVerdictKeys = (exchanges: Exchange[]) => exchanges.filter((exchange) => exchange.path.endsWith('/verdict-jwks.json')).map((exchange) => exchange.url);

/**
 * Whoever controls the transport to `origin` (a proxy the device was made to trust, a
 * compromised CDN): serves their own verdict key set, under the genuine key id, and turns the
 * declined payment's answer into a completed one, with a verdict they sign for the nonce the SDK
 * sent, about the same payment id.
 */
async function transportAttacker(origin: string) {
  const { privateKey, publicKey } = await generateKeyPair('ES256');
  const kid = pinned.keys[0]!.kid;
  const keySet = { keys: [{ ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' }] };
  return network({
    answer: (exchange) => (exchange.url.startsWith(origin) && exchange.path === '/.well-known/verdict-jwks.json' ? jsonResponse(200, keySet) : undefined),
    after: async (response, exchange) => {
      if (!exchange.url.startsWith(origin) || exchange.path !== '/v1/verifications') return response;
      const body = await response.json();
      const { nonce } = JSON.parse(exchange.body!) as { nonce: string };
      const completed = { verified: true, paymentCompleted: true, reason: 'OK', payment: { ...body.payment, status: 'SETTLED' } };
      const verdict = await new SignJWT({ ...decodeJwt(body.verdict), ...completed, nonce })
        .setProtectedHeader(decodeProtectedHeader(body.verdict) as JWTHeaderParameters)
        .sign(privateKey);
      return jsonResponse(200, { ...body, ...completed, verdict });
    },
  });
}

describe('nonce mode against whoever controls the transport to baseUrl', () => {
  it('without pinned keys, is fooled: the default trusts the key set baseUrl serves (out of its scope, as documented)', async () => {
    // The trade-off made visible: the default proves the answer to a party that trusts the
    // origin's TLS, not to a device whose transport the attacker holds. Pinning is the answer.
    const attacker = await transportAttacker(stack.url);
    const client = createClient({ baseUrl: stack.url, fetch: attacker.fetch });
    const confirmation = await client.confirmPayment(declined.paymentResponse, declined.expected, { nonce: true });
    expect(confirmation).toMatchObject({ completed: true, reason: 'OK', payment: { status: 'SETTLED' } });
    expect(fetchesVerdictKeys(attacker.exchanges)).toEqual([`${stack.url}/.well-known/verdict-jwks.json`]);
  });

  it('with pinned keys, refuses the forged verdict (signature) and never asks for a key set', async () => {
    const attacker = await transportAttacker(stack.url);
    const client = createClient({ baseUrl: stack.url, fetch: attacker.fetch, verdictKeys: pinned, backoff: QUICK_BACKOFF });
    const error = await client.confirmPayment(declined.paymentResponse, declined.expected, { nonce: true }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(VerdictRejectedError);
    expect(error).toMatchObject({ code: 'verdict-rejected', check: 'signature', retryable: false });
    expect(fetchesVerdictKeys(attacker.exchanges)).toEqual([]);
  });

  it('with a key set URL on another origin, refuses the forged verdict too: the keys come from there', async () => {
    const attacker = await transportAttacker(stack.url);
    const client = createClient({ baseUrl: stack.url, fetch: attacker.fetch, verdictKeys: keyServer.url, backoff: QUICK_BACKOFF });
    const error = await client.confirmPayment(declined.paymentResponse, declined.expected, { nonce: true }).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ name: 'VerdictRejectedError', check: 'signature' });
    expect(fetchesVerdictKeys(attacker.exchanges)).toEqual([keyServer.url]);
  });
});

describe('verdictKeys for genuine payments', () => {
  it('pinned keys confirm a genuine payment, again and again, without ever fetching the key set', async () => {
    const net = network();
    const client = createClient({ baseUrl: stack.url, fetch: net.fetch, verdictKeys: pinned });
    for (const options of [{ nonce: true }, { nonce: true, checkLedger: true }]) {
      const confirmation = await client.confirmPayment(settled.paymentResponse, settled.expected, options);
      expect(confirmation).toMatchObject({ completed: true, reason: 'OK', verdict: expect.any(String) });
    }
    expect(await client.confirmPayment(declined.paymentResponse, declined.expected, { nonce: true })).toMatchObject({ completed: false, reason: 'NOT_SETTLED' });
    expect(net.exchanges.map((exchange) => exchange.path)).toEqual(['/v1/verifications', '/v1/verifications', '/v1/verifications']);
  });

  it('a key set URL confirms a genuine payment, fetching the keys from that URL once', async () => {
    const net = network();
    const client = createClient({ baseUrl: stack.url, fetch: net.fetch, verdictKeys: keyServer.url });
    expect(await client.confirmPayment(settled.paymentResponse, settled.expected, { nonce: true })).toMatchObject({ completed: true });
    expect(await client.confirmPayment(settled.paymentResponse, settled.expected, { nonce: true })).toMatchObject({ completed: true });
    expect(fetchesVerdictKeys(net.exchanges)).toEqual([keyServer.url]);
  });

  it('pinned keys that do not hold the signing key refuse genuine verdicts: ship the new key set before the key changes', async () => {
    const { publicKey } = await generateKeyPair('ES256');
    const stale = { keys: [{ ...(await exportJWK(publicKey)), kid: 'retired', alg: 'ES256', use: 'sig' }] } as VerdictKeySet;
    const client = createClient({ baseUrl: stack.url, verdictKeys: stale });
    const error = await client.confirmPayment(settled.paymentResponse, settled.expected, { nonce: true }).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ name: 'VerdictRejectedError', check: 'signature' });
  });
});

describe('createClient refuses verdictKeys that cannot work, at once', () => {
  it('refuses key sets with no key, keys that are not EC P-256 public keys, and private keys', async () => {
    const key = pinned.keys[0]!;
    const { privateKey } = await generateKeyPair('ES256', { extractable: true });
    const attempts: unknown[] = [
      {},
      { keys: [] },
      { keys: 'none' },
      [key],
      { keys: [null] },
      { keys: [{ ...key, kty: 'RSA' }] },
      { keys: [{ ...key, crv: 'P-384' }] },
      { keys: [{ kty: 'EC', crv: 'P-256' }] },
      { keys: [{ ...key, x: 'short' }] },
      { keys: [{ ...key, alg: 'RS256' }] },
      { keys: [{ ...key, use: 'enc' }] },
      { keys: [{ ...(await exportJWK(privateKey)), alg: 'ES256' }] },
      { keys: [key, { ...key, d: 'c2VjcmV0' }] },
    ];
    for (const verdictKeys of attempts) {
      expect(() => createClient({ baseUrl: stack.url, verdictKeys } as ClientOptions), JSON.stringify(verdictKeys)).toThrow(TypeError);
    }
    expect(() => createClient({ baseUrl: stack.url, verdictKeys: pinned })).not.toThrow();
  });

  it('refuses a key set URL that is not https (but for localhost), or is on the origin of baseUrl', () => {
    const attempts = [
      'verdict-jwks.json',
      'http://keys.example.com/verdict-jwks.json',
      'ftp://keys.example.com/verdict-jwks.json',
      `${stack.url}/.well-known/verdict-jwks.json`,
      `${stack.url}/elsewhere/keys.json`,
    ];
    for (const verdictKeys of attempts) expect(() => createClient({ baseUrl: stack.url, verdictKeys }), verdictKeys).toThrow(TypeError);
    for (const verdictKeys of ['https://keys.example.com/verdict-jwks.json', 'http://localhost:8080/keys.json', keyServer.url]) {
      expect(() => createClient({ baseUrl: stack.url, verdictKeys }), verdictKeys).not.toThrow();
    }
  });
});

/** The app's own backend, on another origin, serving the verdict keys it trusts. */
async function serveKeySet(keySet: VerdictKeySet): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(keySet));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/signed-pay/verdict-jwks.json`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
