// `npm start` with AWS_ENDPOINT_URL_DYNAMODB and AWS_ENDPOINT_URL_KMS set uses those services:
// here moto_server, an independent implementation of both APIs, serves the whole system.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type LocalProcess, startLocalProcess } from '../support/local-process.js';
import { startMoto } from '../support/moto.js';
import { bearer, postSettlement } from '../support/test-stack.js';

const moto = await startMoto();
const dataDir = mkdtempSync(join(tmpdir(), 'signed-pay-external-'));
let running: LocalProcess | undefined;

afterAll(async () => {
  await running?.stop('SIGKILL');
  await moto?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe.runIf(moto !== undefined)('npm start against moto_server (bring your own endpoints)', () => {
  it('creates its tables, keys and seed data there and serves the whole API', { timeout: 120_000 }, async () => {
    running = await startLocalProcess(dataDir, { AWS_ENDPOINT_URL_DYNAMODB: moto!.url, AWS_ENDPOINT_URL_KMS: moto!.url });
    expect(running.output()).toMatch(/DynamoDB\s+\S+\s+\(external/);
    expect(running.output()).toMatch(/KMS\s+\S+\s+\(external/);

    const order = { orderId: 'o_moto', amount: { value: 1999, currency: 'USD' }, paymentMethod: { type: 'card', token: 'tok_success' } };
    const settled = await postSettlement(running.url, order, 'moto-key', bearer(running.devTokens.m_123!));
    expect(settled.status).toBe(201);
    const replayed = await postSettlement(running.url, order, 'moto-key', bearer(running.devTokens.m_123!));
    expect(replayed.text).toBe(settled.text);
    expect(replayed.headers.get('idempotent-replayed')).toBe('true');

    const verification = await fetch(`${running.url}/v1/verifications`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        paymentResponse: settled.body.paymentResponse,
        expected: { merchantId: 'm_123', orderId: 'o_moto', amount: order.amount },
        checkLedger: true,
        nonce: 'moto-nonce-0123456789',
      }),
    });
    expect(await verification.json()).toMatchObject({ paymentCompleted: true, reason: 'OK', verdict: expect.any(String) });

    const config = await fetch(`${running.url}/v1/config?country=DE`);
    expect(await config.json()).toMatchObject({ country: 'DE', config: { currency: 'EUR' } });
    expect((await fetch(`${running.url}/.well-known/jwks.json`)).status).toBe(200);
  });
});
