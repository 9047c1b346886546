import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKmsServer, type RunningKmsServer } from '../../local/kms/kms-server.js';
import { KEY_RELOAD_BACKOFF, KmsKeySet } from '../../shared/adapters/kms-key-set.js';
import { KmsJwsSigner } from '../../shared/adapters/kms-jws-signer.js';
import { kidOfKeyArn } from '../../shared/adapters/kms-key-id.js';
import { fetchPublicJwk } from '../../shared/adapters/kms-public-keys.js';
import { inspectPaymentResponse } from '../../shared/domain/verification/compact-jws.js';

let dataDir: string;
let server: RunningKmsServer;
let port: number;
let current: string;
let previous: string;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'trusted-keys-'));
  server = await startKmsServer({ dataDir, port: 0 });
  port = Number(new URL(server.url).port);
  const { client } = countingKms();
  const createKey = async (KeySpec: 'ECC_NIST_P256' | 'ECC_NIST_P384' = 'ECC_NIST_P256') =>
    (await client.send(new CreateKeyCommand({ KeySpec, KeyUsage: 'SIGN_VERIFY' }))).KeyMetadata!.Arn!;
  current = await createKey();
  previous = await createKey();
});
afterAll(async () => {
  await server?.close();
  await rm(dataDir, { recursive: true, force: true });
});

/** A real SDK client against the local KMS endpoint, recording every command it sends. */
function countingKms() {
  const client = new KMSClient({
    endpoint: `http://127.0.0.1:${port}`,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
  });
  const calls: string[] = [];
  client.middlewareStack.add(
    (next, context) => async (args) => {
      calls.push(context.commandName ?? 'unknown');
      return next(args);
    },
    { step: 'initialize' },
  );
  return { client, calls };
}

/** The key set's source of public keys, as the handlers wire it: GetPublicKey through `client`. */
function fromKms(client: KMSClient) {
  return (keyArn: string) => fetchPublicJwk(client, keyArn);
}


function manualClock(start = 1_800_000_000_000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => void (now += ms) };
}

describe('KmsKeySet', () => {
  it('fetches each trusted public key once per container, however many verifications follow', async () => {
    const { client, calls } = countingKms();
    const keys = new KmsKeySet(fromKms(client), [current, previous]);
    for (let i = 0; i < 100; i++) {
      expect((await keys.keyFor(kidOfKeyArn(i % 2 ? current : previous))).status).toBe('trusted');
    }
    expect(calls).toEqual(['GetPublicKeyCommand', 'GetPublicKeyCommand']);
  });

  it('shares one load among concurrent verifications', async () => {
    const { client, calls } = countingKms();
    const keys = new KmsKeySet(fromKms(client), [current, previous]);
    const lookups = await Promise.all(Array.from({ length: 50 }, () => keys.keyFor(kidOfKeyArn(current))));
    expect(lookups.every((lookup) => lookup.status === 'trusted')).toBe(true);
    expect(calls).toHaveLength(2);
  });

  it('answers an unknown kid without asking KMS, however many arrive', async () => {
    const { client, calls } = countingKms();
    const keys = new KmsKeySet(fromKms(client), [current, previous]);
    for (let i = 0; i < 1_000; i++) expect(await keys.keyFor(randomUUID())).toEqual({ status: 'unknown' });
    expect(calls).toEqual([]);
  });

  it('trusts the public keys the deployment handed in without asking KMS, and fetches a member it was not given', async () => {
    const { client, calls } = countingKms();
    const deployed = await fetchPublicJwk(client, current);
    calls.length = 0;
    const keys = new KmsKeySet(fromKms(client), [current, previous], { deployedKeys: [deployed] });
    expect(await keys.keyFor(kidOfKeyArn(current))).toMatchObject({ status: 'trusted' });
    expect(calls).toEqual([]);
    // A rotation the configuration does not show yet: the member's key is still fetched (once).
    expect(await keys.keyFor(kidOfKeyArn(previous))).toMatchObject({ status: 'trusted' });
    expect(await keys.keyFor(kidOfKeyArn(previous))).toMatchObject({ status: 'trusted' });
    expect(calls).toEqual(['GetPublicKeyCommand']);
  });

  it('serves a JWKS of deployed keys without asking KMS', async () => {
    const { client, calls } = countingKms();
    const jwks = [await fetchPublicJwk(client, current), await fetchPublicJwk(client, previous)];
    calls.length = 0;
    expect(await new KmsKeySet(fromKms(client), [current, previous], { deployedKeys: [...jwks].reverse() }).jwks()).toEqual(jwks);
    expect(calls).toEqual([]);
  });

  it('refuses at construction a deployed key that is not a member of the set: a configuration error, found at cold start', async () => {
    const { client } = countingKms();
    const outsider = await fetchPublicJwk(client, previous);
    expect(() => new KmsKeySet(fromKms(client), [current], { deployedKeys: [outsider] })).toThrow(/not one of the set's keys/);
  });

  it('checks signatures with the key KMS holds', async () => {
    const { client } = countingKms();
    const token = await new KmsJwsSigner(client, current).sign('payment-response+jwt', { hello: 'world' });
    const jws = inspectPaymentResponse(token);
    if (!jws.ok) throw new Error(`unexpected ${jws.reason}`);
    const lookup = await new KmsKeySet(fromKms(client), [current, previous]).keyFor(kidOfKeyArn(current));
    if (lookup.status !== 'trusted') throw new Error(`unexpected ${lookup.status}`);
    expect(lookup.key.verifies(jws.signingInput, jws.signature)).toBe(true);
    expect(lookup.key.verifies(`${jws.signingInput}x`, jws.signature)).toBe(false);
  });

  it('keeps the current key working when another trusted key cannot be loaded, and retries only that one', async () => {
    const { client, calls } = countingKms();
    const clock = manualClock();
    const missing = current.replace(/[^/]+$/, randomUUID());
    const keys = new KmsKeySet(fromKms(client), [current, missing], { now: clock.now });
    expect((await keys.keyFor(kidOfKeyArn(current))).status).toBe('trusted');
    expect(await keys.keyFor(kidOfKeyArn(missing))).toEqual({ status: 'unavailable' });
    expect(calls).toHaveLength(2);
    clock.advance(KEY_RELOAD_BACKOFF.firstMs);
    expect(await keys.keyFor(kidOfKeyArn(missing))).toEqual({ status: 'unavailable' });
    expect(calls).toHaveLength(3);
  });

  it('refuses to trust a key that is not P-256', async () => {
    const { client } = countingKms();
    const p384 = (await client.send(new CreateKeyCommand({ KeySpec: 'ECC_NIST_P384', KeyUsage: 'SIGN_VERIFY' }))).KeyMetadata!.Arn!;
    expect(await new KmsKeySet(fromKms(client), [p384]).keyFor(kidOfKeyArn(p384))).toEqual({ status: 'unavailable' });
  });

  it('when KMS is unreachable: unavailable, reloads backing off from a second, and recovers within seconds once KMS is back', async () => {
    const { client, calls } = countingKms();
    const clock = manualClock();
    const keys = new KmsKeySet(fromKms(client), [current, previous], { now: clock.now });
    await server.close();
    try {
      for (let i = 0; i < 100; i++) expect(await keys.keyFor(kidOfKeyArn(current))).toEqual({ status: 'unavailable' });
      expect(calls).toHaveLength(2); // one GetPublicKey per trusted key

      // Backoff: 1 s, then 2 s, then 4 s between attempts while KMS stays down.
      for (const wait of [1_000, 2_000, 4_000]) {
        clock.advance(wait - 1);
        expect(await keys.keyFor(kidOfKeyArn(previous))).toEqual({ status: 'unavailable' });
        const before = calls.length;
        clock.advance(1);
        expect(await keys.keyFor(kidOfKeyArn(previous))).toEqual({ status: 'unavailable' });
        expect(calls.length).toBe(before + 2);
      }
    } finally {
      server = await startKmsServer({ dataDir, port });
    }
    // KMS is back: the next attempt, at most 8 s later (never a minute), loads both keys.
    clock.advance(8_000);
    expect((await keys.keyFor(kidOfKeyArn(current))).status).toBe('trusted');
    expect((await keys.keyFor(kidOfKeyArn(previous))).status).toBe('trusted');
    const loaded = calls.length;
    clock.advance(10 * KEY_RELOAD_BACKOFF.maxMs);
    expect((await keys.keyFor(kidOfKeyArn(current))).status).toBe('trusted');
    expect(calls).toHaveLength(loaded);
  });
});
