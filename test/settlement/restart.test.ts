import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compactVerify, createLocalJWKSet, type JSONWebKeySet } from 'jose';
import { afterAll, describe, expect, it } from 'vitest';
import { type LocalProcess, startLocalProcess } from '../support/local-process.js';
import { bearer, postSettlement, SETTLEMENT_EXAMPLE } from '../support/test-stack.js';

const dataDir = mkdtempSync(join(tmpdir(), 'signed-pay-restart-'));
let running: LocalProcess | undefined;

afterAll(async () => {
  await running?.stop('SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
});

async function verifiesAgainstServedJwks(baseUrl: string, jws: string): Promise<boolean> {
  const jwks = (await (await fetch(`${baseUrl}/.well-known/jwks.json`)).json()) as JSONWebKeySet;
  try {
    await compactVerify(jws, createLocalJWKSet(jwks), { algorithms: ['ES256'] });
    return true;
  } catch {
    return false;
  }
}

describe('npm start', () => {
  it('keeps keys and data across a restart: responses verify before and after, and keys still replay', { timeout: 120_000 }, async () => {
    running = await startLocalProcess(dataDir);
    const first = await postSettlement(running.url, SETTLEMENT_EXAMPLE, 'restart-key', bearer(running.devTokens.m_123!));
    expect(first.status).toBe(201);
    expect(await verifiesAgainstServedJwks(running.url, first.body.paymentResponse)).toBe(true);

    expect(await running.stop('SIGTERM')).toBe(0);
    expect(running.output()).toContain('stopping the local stack');

    running = await startLocalProcess(dataDir);
    expect(await verifiesAgainstServedJwks(running.url, first.body.paymentResponse)).toBe(true);
    const replay = await postSettlement(running.url, SETTLEMENT_EXAMPLE, 'restart-key', bearer(running.devTokens.m_123!));
    expect(replay.text).toBe(first.text);
    const second = await postSettlement(running.url, SETTLEMENT_EXAMPLE, 'another-key', bearer(running.devTokens.m_123!));
    expect(await verifiesAgainstServedJwks(running.url, second.body.paymentResponse)).toBe(true);
    expect(await running.stop('SIGINT')).toBe(0);
    running = undefined;
  });

  it('refuses a bad PORT with a clear message', async () => {
    await expect(startLocalProcess(dataDir, { PORT: 'eighty' })).rejects.toThrow(/PORT must be a port number/);
  });
});
