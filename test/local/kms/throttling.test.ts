// The local KMS endpoint playing the account's KMS quota (issue 13): Sign above `requestsPerSecond`
// is refused as KMS refuses it, with ThrottlingException. The quota's own arithmetic is tested with
// an injected clock; through the endpoint, bursts far above the rate replace any timing assertion.
import { CreateKeyCommand, GetPublicKeyCommand, KMSClient, SignCommand } from '@aws-sdk/client-kms';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { RequestQuota } from '../../../local/kms/request-quota.js';
import { type RunningKmsServer, startKmsServer } from '../../../local/kms/kms-server.js';
import { kmsClient } from './kms-contract.js';

describe('the request quota (a clock the test moves)', () => {
  function quotaAt(requestsPerSecond: number) {
    const clock = { ms: 10_000 };
    return { clock, quota: new RequestQuota(requestsPerSecond, () => clock.ms) };
  }
  const accepted = (quota: RequestQuota, requests: number) => Array.from({ length: requests }, () => quota.tryAccept());

  it('accepts N requests in the same instant and refuses the next', () => {
    const { quota } = quotaAt(3);
    expect(accepted(quota, 4)).toEqual([true, true, true, false]);
  });

  it('accepts again exactly one second after the oldest accepted request, not a millisecond before', () => {
    const { clock, quota } = quotaAt(2);
    accepted(quota, 2);
    clock.ms += 999;
    expect(quota.tryAccept()).toBe(false);
    clock.ms += 1;
    expect(accepted(quota, 3)).toEqual([true, true, false]);
  });

  it('counts any one-second window, not calendar seconds: requests spread over a second still fill it', () => {
    const { clock, quota } = quotaAt(3);
    for (const at of [0, 400, 800]) {
      clock.ms = 10_000 + at;
      expect(quota.tryAccept()).toBe(true);
    }
    clock.ms = 10_999;
    expect(quota.tryAccept()).toBe(false);
    clock.ms = 11_000; // the request of 10 000 leaves the window, the other two stay in it
    expect(accepted(quota, 2)).toEqual([true, false]);
    clock.ms = 11_400;
    expect(accepted(quota, 2)).toEqual([true, false]);
  });

  it('lets refused requests use up nothing: a caller retrying in a tight loop does not push its next turn back', () => {
    const { clock, quota } = quotaAt(1);
    quota.tryAccept();
    for (let ms = 1; ms < 1_000; ms += 1) {
      clock.ms = 10_000 + ms;
      expect(quota.tryAccept()).toBe(false);
    }
    clock.ms = 11_000;
    expect(quota.tryAccept()).toBe(true);
  });

  it.each([0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY])('refuses a rate of %s requests per second', (rate) => {
    expect(() => new RequestQuota(rate)).toThrow(RangeError);
  });
});

describe('the local KMS endpoint with a request rate', () => {
  const message = Buffer.from('signed payment response');
  let stops: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const stop of stops) await stop();
    stops = [];
  });

  /** `maxAttempts: 1` (kmsClient): a throttled call shows as itself, not as the SDK's retry of it. */
  async function start(requestsPerSecond?: number): Promise<{ server: RunningKmsServer; client: KMSClient; keyArn: string }> {
    const dataDir = await mkdtemp(join(tmpdir(), 'local-kms-throttling-'));
    const server = await startKmsServer({ dataDir, port: 0, requestsPerSecond });
    const client = kmsClient(server.url);
    stops.push(async () => {
      client.destroy();
      await server.close();
      await rm(dataDir, { recursive: true, force: true });
    });
    const created = await client.send(new CreateKeyCommand({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' }));
    return { server, client, keyArn: created.KeyMetadata!.Arn! };
  }

  const signBurst = (client: KMSClient, keyArn: string, requests: number) =>
    Promise.allSettled(
      Array.from({ length: requests }, () =>
        client.send(new SignCommand({ KeyId: keyArn, Message: message, MessageType: 'RAW', SigningAlgorithm: 'ECDSA_SHA_256' })),
      ),
    );

  it("refuses Sign above the rate with KMS's ThrottlingException, status 400, which the SDK throws as such", async () => {
    const { server, client, keyArn } = await start(1);
    const answers = await signBurst(client, keyArn, 6);
    const refusals = answers.flatMap((answer) => (answer.status === 'rejected' ? [answer.reason] : []));
    expect(refusals.length).toBeGreaterThanOrEqual(1);
    for (const refusal of refusals) {
      expect(refusal).toMatchObject({
        name: 'ThrottlingException',
        message: expect.stringContaining('You have exceeded the rate at which you may call KMS'),
        $fault: 'client',
        $metadata: { httpStatusCode: 400 },
      });
    }
    // Throttled requests are counted apart: callCount says only what KMS actually signed.
    expect(server.throttledCount()).toBe(refusals.length);
    expect(server.callCount('Sign')).toBe(answers.length - refusals.length);
  });

  it('is retried by the SDK, as a throttling error is (a 400 of any other type is not)', async () => {
    const { server, keyArn } = await start(1);
    const retrying = new KMSClient({ endpoint: server.url, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 3 });
    stops.push(async () => retrying.destroy());
    const answers = await signBurst(retrying, keyArn, 4);
    // More requests reached KMS than were sent: the throttled ones came back.
    expect(server.callCount('Sign') + server.throttledCount()).toBeGreaterThan(answers.length);
    for (const answer of answers) {
      if (answer.status === 'rejected') expect(answer.reason).toMatchObject({ name: 'ThrottlingException', $metadata: { attempts: 3 } });
    }
  });

  it('answers a throttled request on the wire as KMS does: 400, KMS JSON, __type ThrottlingException', async () => {
    const { server, keyArn } = await start(1);
    const body = JSON.stringify({ KeyId: keyArn, Message: message.toString('base64'), MessageType: 'RAW', SigningAlgorithm: 'ECDSA_SHA_256' });
    const post = async () => {
      const response = await fetch(`${server.url}/`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'TrentService.Sign' },
        body,
      });
      return { status: response.status, contentType: response.headers.get('content-type'), body: (await response.json()) as Record<string, unknown> };
    };
    const answers = await Promise.all([post(), post(), post()]);
    const throttled = answers.filter((answer) => answer.status !== 200);
    expect(throttled.length).toBeGreaterThanOrEqual(1);
    for (const answer of throttled) {
      expect(answer).toEqual({
        status: 400,
        contentType: 'application/x-amz-json-1.1',
        body: { __type: 'ThrottlingException', message: 'You have exceeded the rate at which you may call KMS. Reduce the frequency of your calls.' },
      });
    }
  });

  it('signs every request of a burst below the rate', async () => {
    const { server, client, keyArn } = await start(1_000);
    const answers = await signBurst(client, keyArn, 20);
    expect(answers.map((answer) => answer.status)).toEqual(Array(20).fill('fulfilled'));
    expect(server.callCount('Sign')).toBe(20);
    expect(server.throttledCount()).toBe(0);
  });

  it('throttles Sign only: the other operations have quotas of their own in KMS, far above what the stack sends', async () => {
    const { server, client, keyArn } = await start(1);
    const lookups = await Promise.allSettled(Array.from({ length: 10 }, () => client.send(new GetPublicKeyCommand({ KeyId: keyArn }))));
    expect(lookups.map((lookup) => lookup.status)).toEqual(Array(10).fill('fulfilled'));
    expect(server.throttledCount()).toBe(0);
  });

  it('without a rate throttles nothing, as before', async () => {
    const { server, client, keyArn } = await start();
    const answers = await signBurst(client, keyArn, 20);
    expect(answers.every((answer) => answer.status === 'fulfilled')).toBe(true);
    expect(server.throttledCount()).toBe(0);
  });
});
