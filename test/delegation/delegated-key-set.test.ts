import { randomBytes } from 'node:crypto';
import { calculateJwkThumbprint } from 'jose';
import { describe, expect, it } from 'vitest';
import { DelegatedJwsSigner } from '../../shared/adapters/delegated-jws-signer.js';
import { DelegatedKeySet } from '../../shared/adapters/delegated-key-set.js';
import { jwkThumbprint } from '../../shared/adapters/jwk-thumbprint.js';
import { PAYMENT_RESPONSE_TYP } from '../../shared/domain/settlement/payment-response.js';
import { InMemoryDelegationRegistry } from '../support/in-memory-delegation-registry.js';
import { inProcessRoot, manualClock, outage } from './support.js';

const ISSUER = 'https://pay.example.test';

async function setup() {
  const root = inProcessRoot();
  const registry = new InMemoryDelegationRegistry();
  const clock = manualClock();
  const signer = new DelegatedJwsSigner(root.signer, registry, {
    scope: PAYMENT_RESPONSE_TYP,
    issuer: ISSUER,
    lifetimeSeconds: 3600,
    retentionHours: 720,
    revocationCheckSeconds: 5,
    now: clock.now,
  });
  await signer.sign(PAYMENT_RESPONSE_TYP, {});
  const [registered] = [...registry.delegations.values()];
  const keys = new DelegatedKeySet(root.roots, registry, { scope: PAYMENT_RESPONSE_TYP, issuer: ISSUER, revocationCheckSeconds: 5, now: clock.now });
  return { registry, clock, keys, kid: registered!.kid };
}

const madeUpKid = () => randomBytes(32).toString('base64url');

describe('the delegated keys a verifier trusts', () => {
  it('have kids that are RFC 7638 thumbprints, as jose computes them', async () => {
    const jwk = { crv: 'P-256', kty: 'EC', x: randomBytes(32).toString('base64url'), y: randomBytes(32).toString('base64url') } as const;
    expect(jwkThumbprint(jwk)).toBe(await calculateJwkThumbprint(jwk, 'sha256'));
  });

  it('are read from the registry once per kid, then known without a read', async () => {
    const { registry, keys, kid } = await setup();
    for (let i = 0; i < 20; i += 1) expect((await keys.keyFor(kid)).status).toBe('trusted');
    expect(registry.reads.get).toBe(1);
  });

  it('cost a bounded number of registry reads under a flood of made-up kids, and are never trusted', async () => {
    const { registry, keys } = await setup();
    const lookups = await Promise.all(Array.from({ length: 1000 }, () => keys.keyFor(madeUpKid())));
    expect(registry.reads.get).toBeLessThanOrEqual(20);
    expect(new Set(lookups.map((lookup) => lookup.status))).toEqual(new Set(['unknown', 'unavailable']));
    // The same made-up kid again and again: one read per retry interval.
    const repeated = madeUpKid();
    const before = registry.reads.get;
    for (let i = 0; i < 50; i += 1) await keys.keyFor(repeated);
    expect(registry.reads.get - before).toBeLessThanOrEqual(1);
  });

  it('cost no read at all for a kid that cannot be a thumbprint', async () => {
    const { registry, keys } = await setup();
    expect(await keys.keyFor('not-a-thumbprint')).toEqual({ status: 'unknown' });
    expect(registry.reads.get).toBe(0);
  });

  it('are refused within the revocation check interval once revoked', async () => {
    const { registry, clock, keys, kid } = await setup();
    expect((await keys.keyFor(kid)).status).toBe('trusted');
    await registry.revoke(PAYMENT_RESPONSE_TYP, kid, 'test', new Date(clock.ms));
    clock.advanceSeconds(5);
    expect(await keys.keyFor(kid)).toEqual({ status: 'revoked' });
  });

  it('are unavailable, not trusted, when the revocation list has been unreadable for half a minute', async () => {
    const { registry, clock, keys, kid } = await setup();
    expect((await keys.keyFor(kid)).status).toBe('trusted');
    registry.failing = outage();
    clock.advanceSeconds(10);
    expect((await keys.keyFor(kid)).status).toBe('trusted');
    clock.advanceSeconds(25);
    expect(await keys.keyFor(kid)).toEqual({ status: 'unavailable' });
  });

  it('are expired once their delegation has ended, with the key kept for the ledger check', async () => {
    const { clock, keys, kid } = await setup();
    clock.advanceSeconds(3600 + 61);
    expect(await keys.keyFor(kid)).toMatchObject({ status: 'expired', delegated: { notBefore: expect.any(Number), expires: expect.any(Number) } });
  });
});
