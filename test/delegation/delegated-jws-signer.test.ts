import { setImmediate as flush } from 'node:timers/promises';
import { decodeProtectedHeader } from 'jose';
import { describe, expect, it } from 'vitest';
import { DelegatedJwsSigner } from '../../shared/adapters/delegated-jws-signer.js';
import { DelegatedKeySet } from '../../shared/adapters/delegated-key-set.js';
import { PAYMENT_RESPONSE_TYP } from '../../shared/domain/settlement/payment-response.js';
import { inspectPaymentResponse } from '../../shared/domain/verification/compact-jws.js';
import { SigningUnavailableError } from '../../shared/errors.js';
import { runWithDeadline } from '../../shared/adapters/aws/call-deadline.js';
import { InMemoryDelegationRegistry } from '../support/in-memory-delegation-registry.js';
import { inProcessRoot, manualClock, outage } from './support.js';

const ISSUER = 'https://pay.example.test';
const HOUR = 3600;
/** A delegation made at t ends HOUR - 60 s later (its nbf lies a minute before it was made). */
const LIFE_LEFT_AT_START = HOUR - 60;

function setup(lifetimeSeconds = HOUR) {
  const root = inProcessRoot();
  const registry = new InMemoryDelegationRegistry();
  const clock = manualClock();
  const problems: string[] = [];
  const delegated: string[] = [];
  const signer = new DelegatedJwsSigner(root.signer, registry, {
    scope: PAYMENT_RESPONSE_TYP,
    issuer: ISSUER,
    lifetimeSeconds,
    retentionHours: 720,
    revocationCheckSeconds: 5,
    now: clock.now,
    onDelegated: (kid) => delegated.push(kid),
    onProblem: (message) => problems.push(message),
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
  return { root, registry, clock, signer, sign, kidOf, check, problems, delegated };
}

describe('a delegated signer', () => {
  it('asks KMS once for many signatures, and registers the delegation before the first token leaves', async () => {
    const { root, registry, sign, kidOf, check, delegated } = setup();
    const tokens = await Promise.all(Array.from({ length: 50 }, sign));
    expect(root.calls.sign).toBe(1);
    expect(new Set(tokens.map(kidOf)).size).toBe(1);
    expect([...registry.delegations.values()]).toEqual([
      expect.objectContaining({ kid: kidOf(tokens[0]!), scope: PAYMENT_RESPONSE_TYP, rootKid: root.signer.kid, delegation: expect.any(String) }),
    ]);
    expect(delegated).toEqual([kidOf(tokens[0]!)]);
    for (const token of tokens.slice(0, 5)) expect(await check(token)).toBe('verifies');
  });

  it('registers its successor a minute before using it, and hands over once a quarter of the lifetime is left', async () => {
    const { root, registry, clock, sign, kidOf, check } = setup();
    const first = await sign();
    clock.advanceSeconds(LIFE_LEFT_AT_START - HOUR / 4 - 60); // a quarter and a minute left: the successor is prepared
    expect(kidOf(await sign())).toBe(kidOf(first));
    await flush();
    expect(registry.delegations.size).toBe(2);
    clock.advanceSeconds(59);
    expect(kidOf(await sign())).toBe(kidOf(first)); // published 59 s: not yet
    clock.advanceSeconds(1);
    const handedOver = await sign();
    expect(kidOf(handedOver)).not.toBe(kidOf(first));
    expect(root.calls.sign).toBe(2);
    expect([await check(first), await check(handedOver)]).toEqual(['verifies', 'verifies']);
  });

  it('signs on with the current delegation while renewing fails, asks KMS once per backoff, and is a 503 once none can sign', async () => {
    const { root, clock, sign, kidOf, problems } = setup();
    const first = await sign();
    root.calls.failing = outage();
    clock.advanceSeconds(LIFE_LEFT_AT_START * 0.8);
    for (let i = 0; i < 100; i += 1) expect(kidOf(await sign())).toBe(kidOf(first));
    await flush();
    expect(root.calls.sign).toBe(2); // one failed renewal, then the backoff: a throttled KMS is not stormed
    expect(problems).toContain('could not make a new signing delegation');
    clock.advanceSeconds(LIFE_LEFT_AT_START * 0.2 - 10);
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

  it('stops signing, without asking KMS again and again, once its key outlived half a minute of an unreadable revocation list', async () => {
    const { root, registry, clock, sign, kidOf, problems } = setup();
    const first = await sign();
    registry.failingRevocationReads = outage();
    clock.advanceSeconds(25);
    expect(kidOf(await sign())).toBe(kidOf(first));
    clock.advanceSeconds(10);
    for (let minute = 0; minute < 10; minute += 1) {
      await expect(sign()).rejects.toBeInstanceOf(SigningUnavailableError);
      clock.advanceSeconds(60);
    }
    expect(root.calls.sign).toBe(1);
    expect(problems).toContain('could not read the revocation list; signing on with the current delegation');
    registry.failingRevocationReads = undefined;
    const after = await sign();
    expect(kidOf(after)).not.toBe(kidOf(first));
  });

  it('does not hand over to a prepared successor it cannot vouch for either', async () => {
    const { registry, clock, sign, kidOf } = setup();
    await sign();
    clock.advanceSeconds(LIFE_LEFT_AT_START - HOUR / 4 - 60);
    await sign();
    await flush();
    expect(registry.delegations.size).toBe(2);
    registry.failingRevocationReads = outage();
    clock.advanceSeconds(120);
    await expect(sign().then(kidOf)).rejects.toBeInstanceOf(SigningUnavailableError);
  });

  it('never signs with a delegation that a freeze spent while it was being made', async () => {
    const { root, clock, sign, kidOf, check } = setup();
    await sign();
    let thaw!: () => void;
    root.calls.held = new Promise((resolve) => (thaw = resolve));
    clock.advanceSeconds(LIFE_LEFT_AT_START - HOUR / 4 - 30); // the successor is being prepared ...
    await sign();
    clock.advanceSeconds(2 * HOUR); // ... when the container is frozen for two hours
    root.calls.held = undefined;
    thaw();
    const token = await sign();
    expect(await check(token)).toBe('verifies');
    expect(root.calls.sign).toBe(3);
    void kidOf;
  });

  it("makes its next key outside the deadline of the request that happened to start it", async () => {
    const { root, clock, signer } = setup();
    const inRequest = (work: () => Promise<unknown>) => runWithDeadline(Date.now() + 10_000, work);
    await inRequest(() => signer.sign(PAYMENT_RESPONSE_TYP, {}));
    clock.advanceSeconds(LIFE_LEFT_AT_START - HOUR / 4 - 30);
    await inRequest(() => signer.sign(PAYMENT_RESPONSE_TYP, {}));
    await flush();
    // The first key was waited for within its request's deadline; the next one was not.
    expect(root.calls.withDeadline).toEqual([true, false]);
  });

  it('signs only the token kind it was delegated', async () => {
    const { signer } = setup();
    await expect(signer.sign('verification-result+jwt', {})).rejects.toThrow(/cannot sign verification-result\+jwt/);
  });
});
