import { decodeProtectedHeader } from 'jose';
import { describe, expect, it } from 'vitest';
import { DelegatedJwsSigner } from '../../shared/adapters/delegated-jws-signer.js';
import { DelegatedKeySet } from '../../shared/adapters/delegated-key-set.js';
import { PAYMENT_RESPONSE_TYP } from '../../shared/domain/settlement/payment-response.js';
import { inspectPaymentResponse } from '../../shared/domain/verification/compact-jws.js';
import { SigningUnavailableError } from '../../shared/errors.js';
import { InMemoryDelegationRegistry } from '../support/in-memory-delegation-registry.js';
import { inProcessRoot, manualClock, outage } from './support.js';

const ISSUER = 'https://pay.example.test';
const HOUR = 3600;

function setup(lifetimeSeconds = HOUR) {
  const root = inProcessRoot();
  const registry = new InMemoryDelegationRegistry();
  const clock = manualClock();
  const renewalFailures: unknown[] = [];
  const signer = new DelegatedJwsSigner(root.signer, registry, {
    scope: PAYMENT_RESPONSE_TYP,
    issuer: ISSUER,
    lifetimeSeconds,
    retentionHours: 720,
    revocationCheckSeconds: 5,
    now: clock.now,
    onRenewalFailure: (error) => renewalFailures.push(error),
  });
  const verifier = new DelegatedKeySet(root.roots, registry, { scope: PAYMENT_RESPONSE_TYP, issuer: ISSUER, revocationCheckSeconds: 5, now: clock.now });
  const claims = () => ({ iss: ISSUER, iat: Math.floor(clock.ms / 1000) });
  const sign = () => signer.sign(PAYMENT_RESPONSE_TYP, claims());
  const kidOf = (token: string) => decodeProtectedHeader(token).kid!;
  /** What the verifier says of a token's key, and whether the key checks its signature. */
  const check = async (token: string) => {
    const jws = inspectPaymentResponse(token);
    if (!jws.ok) return jws.reason;
    const lookup = await verifier.keyFor(jws.kid);
    return lookup.status === 'trusted' && lookup.key.verifies(jws.signingInput, jws.signature) ? 'verifies' : lookup.status;
  };
  return { root, registry, clock, signer, sign, kidOf, check, renewalFailures };
}

describe('a delegated signer', () => {
  it('asks KMS once for many signatures, and registers the delegation before the first token leaves', async () => {
    const { root, registry, sign, kidOf, check } = setup();
    const tokens = await Promise.all(Array.from({ length: 50 }, sign));
    expect(root.calls.sign).toBe(1);
    expect(new Set(tokens.map(kidOf)).size).toBe(1);
    expect([...registry.delegations.values()]).toEqual([
      expect.objectContaining({ kid: kidOf(tokens[0]!), scope: PAYMENT_RESPONSE_TYP, rootKid: root.signer.kid, delegation: expect.any(String) }),
    ]);
    for (const token of tokens.slice(0, 5)) expect(await check(token)).toBe('verifies');
  });

  it('renews once a quarter of the lifetime is left, so every token stays verifiable at least that long', async () => {
    const { root, clock, sign, kidOf, check } = setup();
    const first = await sign();
    clock.advanceSeconds(HOUR * 0.75 - 61); // nbf lies 60 s before the delegation was made
    expect(kidOf(await sign())).toBe(kidOf(first));
    clock.advanceSeconds(2);
    const renewed = await sign();
    expect(kidOf(renewed)).not.toBe(kidOf(first));
    expect(root.calls.sign).toBe(2);
    expect([await check(first), await check(renewed)]).toEqual(['verifies', 'verifies']);
  });

  it('keeps signing with the current delegation while renewing fails, and is a 503 once none can sign', async () => {
    const { root, clock, sign, kidOf, renewalFailures } = setup();
    const first = await sign();
    root.calls.failing = outage();
    clock.advanceSeconds(HOUR * 0.8);
    expect(kidOf(await sign())).toBe(kidOf(first));
    expect(renewalFailures).toHaveLength(1);
    clock.advanceSeconds(HOUR * 0.2);
    await expect(sign()).rejects.toBeInstanceOf(SigningUnavailableError);
  });

  it('is a 503 when the registry cannot be written: an unregistered key signs nothing', async () => {
    const { registry, sign } = setup();
    registry.failing = outage();
    await expect(sign()).rejects.toBeInstanceOf(SigningUnavailableError);
  });

  it('replaces a revoked delegation at its next revocation check', async () => {
    const { registry, clock, sign, kidOf, check } = setup();
    const first = await sign();
    await registry.revoke(PAYMENT_RESPONSE_TYP, kidOf(first), 'test', new Date(clock.ms));
    clock.advanceSeconds(5);
    const after = await sign();
    expect(kidOf(after)).not.toBe(kidOf(first));
    expect([await check(first), await check(after)]).toEqual(['revoked', 'verifies']);
  });

  it('signs only the token kind it was delegated', async () => {
    const { signer } = setup();
    await expect(signer.sign('verification-result+jwt', {})).rejects.toThrow(/cannot sign verification-result\+jwt/);
  });
});
