// Delegated signing mode as the SDK sees it: verdicts signed by ephemeral keys, each certified by
// a delegation that the pinned root key signed. The service here is a fake fetch (the local stack
// in delegated mode is another test's): it answers verifications with a verdict signed by the key
// a test chooses, and serves the verdict key set the test writes.
import { calculateJwkThumbprint, CompactSign, exportJWK, generateKeyPair, SignJWT } from 'jose';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createClient, type VerdictKeySet, VerdictKeysUnavailableError, VerdictRejectedError } from '../../client/src/index.js';
import { jsonResponse, network, QUICK_BACKOFF } from './support.js';

const BASE_URL = 'https://api.example.test';
const KEY_SET_URL = `${BASE_URL}/.well-known/verdict-jwks.json`;
const EXPECTED = { merchantId: 'm_123', orderId: 'o_789', amount: { value: 1500, currency: 'JPY' } };
const PAYMENT_ID = 'pay_delegated_1';
/** Only its jti is read on the device: the service is the one that checks it. */
const PAYMENT_RESPONSE = [{ alg: 'ES256', typ: 'payment-response+jwt' }, { jti: PAYMENT_ID }, 'signature'].map(base64url).join('.');

interface SigningKey {
  privateKey: CryptoKey;
  publicJwk: { crv: string; kty: string; x: string; y: string };
  kid: string;
}

/** The KMS root verdict key, the key whose kid merely copies it, and the ephemeral keys of two containers. */
let root: SigningKey;
let impostor: SigningKey;
let ephemeral: SigningKey;
let otherEphemeral: SigningKey;
/** The root keys as an app ships them. */
let pinned: VerdictKeySet;

beforeAll(async () => {
  root = await signingKey('verdict-root-1');
  impostor = { ...(await signingKey()), kid: root.kid };
  ephemeral = await signingKey();
  otherEphemeral = await signingKey();
  pinned = { keys: [listed(root)] };
});
afterEach(() => {
  vi.useRealTimers();
});

async function signingKey(kid?: string): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair('ES256');
  const { crv, kty, x, y } = await exportJWK(publicKey);
  const publicJwk = { crv: crv!, kty: kty!, x: x!, y: y! };
  return { privateKey, publicJwk, kid: kid ?? (await calculateJwkThumbprint(publicJwk, 'sha256')) };
}

const nowSeconds = () => Math.floor(Date.now() / 1000);

/** A delegation as the service signs it (root key, verdict scope, an hour from a minute ago), with `changes`. */
async function delegation(
  certified: SigningKey,
  changes: { signedBy?: SigningKey; header?: Record<string, unknown>; claims?: Record<string, unknown> } = {},
): Promise<string> {
  const signer = changes.signedBy ?? root;
  const start = nowSeconds() - 60;
  const claims = {
    iss: 'signed-pay-verification',
    sub: certified.kid,
    scope: 'verification-result+jwt',
    jwk: certified.publicJwk,
    iat: start,
    nbf: start,
    exp: start + 3600,
    ...changes.claims,
  };
  return new CompactSign(new TextEncoder().encode(JSON.stringify(claims)))
    .setProtectedHeader({ alg: 'ES256', kid: signer.kid, typ: 'signing-delegation+jwt', ...changes.header })
    .sign(signer.privateKey);
}

/** A key as the verdict key set lists it: a delegated key with its delegation beside it. */
function listed(key: SigningKey, delegationJws?: string) {
  return { ...key.publicJwk, kid: key.kid, alg: 'ES256', use: 'sig', ...(delegationJws === undefined ? {} : { delegation: delegationJws }) };
}

interface ServiceState {
  /** Signs the verdicts; its kid goes in their header. */
  signer: SigningKey;
  /** What /.well-known/verdict-jwks.json answers (any origin's): a JWK Set, or a function that answers or throws. */
  keySet: unknown;
  verdictIat?: number;
  verdictHeader?: Record<string, unknown>;
}

/** The verification service as the SDK reaches it: it says the payment completed, with a verdict for the nonce sent. */
function fakeService(state: ServiceState) {
  const net = network({
    answer: async (exchange) => {
      if (exchange.path.endsWith('/verdict-jwks.json')) return typeof state.keySet === 'function' ? state.keySet() : jsonResponse(200, state.keySet);
      const { nonce, expected, checkLedger } = JSON.parse(exchange.body!) as { nonce: string; expected: unknown; checkLedger: boolean };
      const result = { verified: true, paymentCompleted: true, reason: 'OK' };
      const payment = { paymentId: PAYMENT_ID, ...EXPECTED, status: 'SETTLED', livemode: false, iat: nowSeconds() - 5 };
      const verdict = await new SignJWT({ ...result, nonce, paymentId: PAYMENT_ID, checkLedger, expected, livemode: false, payment })
        .setProtectedHeader({ alg: 'ES256', kid: state.signer.kid, typ: 'verification-result+jwt', ...state.verdictHeader })
        .setIssuedAt(state.verdictIat ?? nowSeconds())
        .sign(state.signer.privateKey);
      return jsonResponse(200, { ...result, payment, verdict, expected, checkLedger });
    },
  });
  return { ...net, keySetFetches: () => net.exchanges.filter((exchange) => exchange.path.endsWith('/verdict-jwks.json')).map((exchange) => exchange.url) };
}

function clientOf(service: ReturnType<typeof fakeService>, verdictKeys?: VerdictKeySet | string) {
  return createClient({ baseUrl: BASE_URL, fetch: service.fetch, retries: 0, ...(verdictKeys === undefined ? {} : { verdictKeys }) });
}

const confirm = (client: ReturnType<typeof createClient>) => client.confirmPayment(PAYMENT_RESPONSE, EXPECTED, { nonce: true });
const failureOf = (client: ReturnType<typeof createClient>) => confirm(client).catch((caught: unknown) => caught);

describe('verdicts signed by a delegated key', () => {
  it('verify with the default key set and with a key set URL: both list the delegated key (jose ignores its delegation member)', async () => {
    const keySet = { keys: [listed(root), listed(ephemeral, await delegation(ephemeral))] };
    for (const verdictKeys of [undefined, 'https://keys.example.test/verdict-jwks.json']) {
      const service = fakeService({ signer: ephemeral, keySet });
      expect(await confirm(clientOf(service, verdictKeys))).toMatchObject({ completed: true, reason: 'OK' });
      expect(service.keySetFetches()).toEqual([verdictKeys ?? KEY_SET_URL]);
    }
  });

  it('verify with the pinned root keys: the SDK fetches the delegation from baseUrl and checks it against them', async () => {
    const service = fakeService({ signer: ephemeral, keySet: { keys: [listed(root), listed(ephemeral, await delegation(ephemeral))] } });
    expect(await confirm(clientOf(service, pinned))).toMatchObject({ completed: true, reason: 'OK', verdict: expect.any(String) });
    expect(service.keySetFetches()).toEqual([KEY_SET_URL]);
  });

  it('verify while the delegation expired less than the 60 s clock tolerance ago', async () => {
    const start = nowSeconds() - 3630;
    const expiring = await delegation(ephemeral, { claims: { iat: start, nbf: start, exp: start + 3600 } });
    const service = fakeService({ signer: ephemeral, keySet: { keys: [listed(ephemeral, expiring)] }, verdictIat: start + 3500 });
    expect(await confirm(clientOf(service, pinned))).toMatchObject({ completed: true });
  });

  it('signed by a pinned root key, verify as ever, without fetching any key set', async () => {
    const service = fakeService({ signer: root, keySet: { keys: [] } });
    expect(await confirm(clientOf(service, pinned))).toMatchObject({ completed: true });
    expect(service.keySetFetches()).toEqual([]);
  });
});

describe('with pinned root keys, a delegated verdict is refused (signature) when', () => {
  const start = () => nowSeconds() - 60;
  const refusals: [string, () => Promise<Partial<ServiceState>>, RegExp][] = [
    ['its key is listed without a delegation', async () => ({ keySet: { keys: [listed(ephemeral)] } }), /listed without a delegation/],
    [
      'its key is listed under its kid, but not as a signing key (use enc)',
      async () => ({ keySet: { keys: [{ ...listed(ephemeral, await delegation(ephemeral)), use: 'enc' }] } }),
      /listed, but not as an ES256 signing key/,
    ],
    [
      'its header carries the key that signed it (jwk) under a listed kid: a key in a token is never trusted',
      async () => ({
        signer: { ...otherEphemeral, kid: ephemeral.kid },
        verdictHeader: { jwk: otherEphemeral.publicJwk },
        keySet: { keys: [listed(ephemeral, await delegation(ephemeral))] },
      }),
      /not signed by the verification service \(ERR_JWS_SIGNATURE_VERIFICATION_FAILED\)/,
    ],
    [
      'the delegation is signed by a key that is not pinned, under the pinned key id',
      async () => ({ keySet: { keys: [listed(ephemeral, await delegation(ephemeral, { signedBy: impostor }))] } }),
      /not signed by a pinned key/,
    ],
    [
      'the delegation header has a member besides alg, kid and typ (a jwk)',
      async () => ({ keySet: { keys: [listed(ephemeral, await delegation(ephemeral, { header: { jwk: ephemeral.publicJwk } }))] } }),
      /header members are not exactly alg, kid and typ/,
    ],
    [
      'the delegation is of another token kind (typ)',
      async () => ({ keySet: { keys: [listed(ephemeral, await delegation(ephemeral, { header: { typ: 'verification-result+jwt' } }))] } }),
      /typ is not signing-delegation\+jwt/,
    ],
    [
      'the delegation has a claim besides those of a delegation',
      async () => ({ keySet: { keys: [listed(ephemeral, await delegation(ephemeral, { claims: { aud: 'anyone' } }))] } }),
      /claims are not exactly/,
    ],
    [
      'the delegation is for payment responses (scope payment-response+jwt)',
      async () => ({ keySet: { keys: [listed(ephemeral, await delegation(ephemeral, { claims: { scope: 'payment-response+jwt' } }))] } }),
      /for payment-response\+jwt tokens, not for verdicts/,
    ],
    [
      "the delegation certifies another key than the verdict's (sub)",
      async () => ({ keySet: { keys: [listed(ephemeral, await delegation(otherEphemeral))] } }),
      /certifies another key than the verdict's/,
    ],
    [
      'the delegation names its key by something else than its thumbprint (sub)',
      async () => {
        const misnamed = { ...ephemeral, kid: 'A'.repeat(43) };
        return { signer: misnamed, keySet: { keys: [listed(misnamed, await delegation(misnamed))] } };
      },
      /sub is not the thumbprint of its key/,
    ],
    [
      'the key set lists other coordinates (x, y) beside the delegation than it certifies',
      async () => ({ keySet: { keys: [{ ...listed(ephemeral, await delegation(ephemeral)), x: otherEphemeral.publicJwk.x, y: otherEphemeral.publicJwk.y }] } }),
      /lists another key under the verdict's kid/,
    ],
    [
      'the delegation lives longer than an hour',
      async () => ({ keySet: { keys: [listed(ephemeral, await delegation(ephemeral, { claims: { exp: start() + 3601 } }))] } }),
      /longer than an hour/,
    ],
    [
      'the verdict was signed before the delegation began (iat < nbf)',
      async () => ({ keySet: { keys: [listed(ephemeral, await delegation(ephemeral))] }, verdictIat: start() - 1 }),
      /signed outside its delegation/,
    ],
    [
      'the verdict says it was signed after the delegation ended (iat > exp)',
      async () => ({ keySet: { keys: [listed(ephemeral, await delegation(ephemeral))] }, verdictIat: start() + 3601 }),
      /signed outside its delegation/,
    ],
    [
      'the delegation expired more than 60 s ago, though the verdict was signed within it',
      async () => {
        const begun = nowSeconds() - 3700;
        const expired = await delegation(ephemeral, { claims: { iat: begun, nbf: begun, exp: begun + 3600 } });
        return { keySet: { keys: [listed(ephemeral, expired)] }, verdictIat: begun + 3500 };
      },
      /has expired/,
    ],
  ];

  it.each(refusals)('%s', async (_name, scenario, detail) => {
    const service = fakeService({ signer: ephemeral, keySet: { keys: [] }, ...(await scenario()) });
    const error = await failureOf(clientOf(service, pinned));
    expect(error).toBeInstanceOf(VerdictRejectedError);
    expect(error).toMatchObject({ code: 'verdict-rejected', check: 'signature', retryable: false, message: expect.stringMatching(detail) });
  });
});

describe('a verdict whose key is not listed (yet) is VerdictKeysUnavailableError (retryable), never completed, when', () => {
  const notYetListed: [string, () => Partial<ServiceState>][] = [
    ['its key is neither pinned nor listed: a container that began signing moments ago', () => ({ keySet: { keys: [listed(root)] } })],
    ['its header also carries its own key (jwk), which is never trusted', () => ({ keySet: { keys: [listed(root)] }, verdictHeader: { jwk: ephemeral.publicJwk } })],
  ];

  it.each(notYetListed)('%s (pinned root keys)', async (_name, scenario) => {
    const service = fakeService({ signer: ephemeral, keySet: { keys: [] }, ...scenario() });
    const error = await failureOf(clientOf(service, pinned));
    expect(error).toBeInstanceOf(VerdictKeysUnavailableError);
    expect(error).toMatchObject({ code: 'verdict-keys-unavailable', retryable: true, message: expect.stringMatching(/neither pinned nor listed \(yet\)/) });
  });

  it.each(notYetListed)('%s (default key set)', async (_name, scenario) => {
    const service = fakeService({ signer: ephemeral, keySet: { keys: [] }, ...scenario() });
    const error = await failureOf(clientOf(service));
    expect(error).toBeInstanceOf(VerdictKeysUnavailableError);
    expect(error).toMatchObject({ code: 'verdict-keys-unavailable', retryable: true, message: expect.stringMatching(/not listed \(yet\)/) });
  });

  it.each([
    ['pinned root keys', () => pinned],
    ['the default key set', () => undefined],
  ])('but a token of another kind (typ) with an unlisted kid is refused (signature), with %s, before any key set is fetched', async (_name, verdictKeys) => {
    const service = fakeService({ signer: ephemeral, keySet: { keys: [listed(root)] }, verdictHeader: { typ: 'payment-response+jwt' } });
    const error = await failureOf(clientOf(service, verdictKeys()));
    expect(error).toMatchObject({ name: 'VerdictRejectedError', check: 'signature', retryable: false, message: expect.stringMatching(/not a verdict/) });
    expect(service.keySetFetches()).toEqual([]);
  });

  it('but a key listed under its kid, not as a signing key (use enc), is refused (signature) with the default key set: the entry is wrong, not late', async () => {
    const service = fakeService({ signer: ephemeral, keySet: { keys: [listed(root), { ...listed(ephemeral), use: 'enc' }] } });
    const error = await failureOf(clientOf(service));
    expect(error).toMatchObject({ name: 'VerdictRejectedError', check: 'signature', retryable: false, message: expect.stringMatching(/ERR_JWKS_NO_MATCHING_KEY/) });
  });

  it("confirmPayment's own retries ask again a bounded number of times, then reject: never completed", async () => {
    const service = fakeService({ signer: ephemeral, keySet: { keys: [listed(root)] } });
    const client = createClient({ baseUrl: BASE_URL, fetch: service.fetch, retries: 2, backoff: QUICK_BACKOFF, verdictKeys: pinned });
    expect(await failureOf(client)).toMatchObject({ name: 'VerdictKeysUnavailableError', retryable: true });
    expect(service.exchanges.filter((exchange) => exchange.path === '/v1/verifications')).toHaveLength(3);
    // Within the 5 s cooldown the key set is not fetched again, however often the kid comes.
    expect(service.keySetFetches()).toEqual([KEY_SET_URL]);
  });
});

describe('pinning a key set that lists delegated keys', () => {
  it('pins the root keys only: a bundled delegated key is still checked through its delegation, which expires', async () => {
    const begun = nowSeconds() - 3700;
    const bundled = listed(ephemeral, await delegation(ephemeral, { claims: { iat: begun, nbf: begun, exp: begun + 3600 } }));
    const service = fakeService({ signer: ephemeral, keySet: { keys: [listed(root), bundled] }, verdictIat: begun + 3500 });
    const error = await failureOf(clientOf(service, { keys: [listed(root), bundled] }));
    expect(error).toMatchObject({ name: 'VerdictRejectedError', check: 'signature', message: expect.stringMatching(/has expired/) });
  });

  it('refuses, at once, a key set of delegated keys only: it holds no root to anchor them', async () => {
    const onlyDelegated = { keys: [listed(ephemeral, await delegation(ephemeral))] };
    expect(() => createClient({ baseUrl: BASE_URL, verdictKeys: onlyDelegated })).toThrow(/delegated keys only/);
  });
});

describe("fetching baseUrl's key set for delegations", () => {
  it('fetches it at most once in 5 s however often unknown kids come, and caches what it fetched', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const start = Date.now();
    vi.setSystemTime(start);
    const state: ServiceState = { signer: ephemeral, keySet: { keys: [listed(root), listed(ephemeral, await delegation(ephemeral))] } };
    const service = fakeService(state);
    const client = clientOf(service, pinned);
    expect(await confirm(client)).toMatchObject({ completed: true });
    expect(await confirm(client)).toMatchObject({ completed: true });

    // Another container starts signing: its key is listed from now on, but the SDK looked 0 s ago.
    state.signer = otherEphemeral;
    state.keySet = { keys: [listed(root), listed(ephemeral, await delegation(ephemeral)), listed(otherEphemeral, await delegation(otherEphemeral))] };
    for (const after of [0, 2_000, 4_900]) {
      vi.setSystemTime(start + after);
      expect(await failureOf(client)).toMatchObject({ name: 'VerdictKeysUnavailableError', retryable: true, message: expect.stringMatching(/neither pinned nor listed/) });
    }
    expect(service.keySetFetches()).toEqual([KEY_SET_URL]);

    vi.setSystemTime(start + 5_001);
    expect(await confirm(client)).toMatchObject({ completed: true });
    expect(service.keySetFetches()).toEqual([KEY_SET_URL, KEY_SET_URL]);
  });

  it.each([
    ['pinned root keys', () => pinned],
    ['the default key set', () => undefined],
  ])('with %s, stops trusting a key dropped from it (revoked) once its 60 s of cache have passed', async (_name, verdictKeys) => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const start = Date.now();
    vi.setSystemTime(start);
    const state: ServiceState = { signer: ephemeral, keySet: { keys: [listed(root), listed(ephemeral, await delegation(ephemeral))] } };
    const service = fakeService(state);
    const client = clientOf(service, verdictKeys());
    expect(await confirm(client)).toMatchObject({ completed: true });

    state.keySet = { keys: [listed(root)] };
    vi.setSystemTime(start + 59_000);
    expect(await confirm(client)).toMatchObject({ completed: true });
    expect(service.keySetFetches()).toEqual([KEY_SET_URL]);

    vi.setSystemTime(start + 60_001);
    expect(await failureOf(client)).toMatchObject({ name: 'VerdictKeysUnavailableError', retryable: true });
    expect(service.keySetFetches()).toEqual([KEY_SET_URL, KEY_SET_URL]);
  });

  it('with the default key set, verifies a brand-new listed key within the 5 s cooldown (jose alone waits 30 s)', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const start = Date.now();
    vi.setSystemTime(start);
    const state: ServiceState = { signer: ephemeral, keySet: { keys: [listed(root), listed(ephemeral)] } };
    const service = fakeService(state);
    const client = clientOf(service);
    expect(await confirm(client)).toMatchObject({ completed: true });

    // A new container signs its first verdict before its key is listed, and the SDK looked 0 s ago.
    state.signer = otherEphemeral;
    expect(await failureOf(client)).toMatchObject({ name: 'VerdictKeysUnavailableError', retryable: true, message: expect.stringMatching(/not listed \(yet\)/) });
    state.keySet = { keys: [listed(root), listed(ephemeral), listed(otherEphemeral)] };
    vi.setSystemTime(start + 3_000);
    expect(await failureOf(client)).toMatchObject({ name: 'VerdictKeysUnavailableError', retryable: true });
    expect(service.keySetFetches()).toEqual([KEY_SET_URL]);

    vi.setSystemTime(start + 5_001);
    expect(await confirm(client)).toMatchObject({ completed: true, reason: 'OK' });
    expect(service.keySetFetches()).toEqual([KEY_SET_URL, KEY_SET_URL]);
  });

  it.each([
    ['the network fails', () => Promise.reject(new TypeError('fetch failed'))],
    ['it answers 503', () => jsonResponse(503, { title: 'Service Unavailable' })],
  ])('gives VerdictKeysUnavailableError (retryable) when %s', async (_name, answer) => {
    const service = fakeService({ signer: ephemeral, keySet: answer });
    const error = await failureOf(clientOf(service, pinned));
    expect(error).toBeInstanceOf(VerdictKeysUnavailableError);
    expect(error).toMatchObject({ code: 'verdict-keys-unavailable', retryable: true });
  });
});

function base64url(part: unknown): string {
  return typeof part === 'string' ? part : Buffer.from(JSON.stringify(part)).toString('base64url');
}
