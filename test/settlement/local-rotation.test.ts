import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeProtectedHeader } from 'jose';
import { afterAll, describe, expect, it } from 'vitest';
import { REPOSITORY_ROOT } from '../../local/local-stack.js';
import { type LocalProcess, startLocalProcess } from '../support/local-process.js';
import { bearer, postSettlement, SETTLEMENT_EXAMPLE } from '../support/test-stack.js';

const dataDir = mkdtempSync(join(tmpdir(), 'signed-pay-rotation-'));
let running: LocalProcess | undefined;

afterAll(async () => {
  await running?.stop('SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
});

function rotate(...flags: string[]): void {
  execFileSync(process.execPath, ['--import', 'tsx', 'local/rotate-key.ts', ...flags], { cwd: REPOSITORY_ROOT, env: { ...process.env, LOCAL_DATA_DIR: dataDir } });
}

async function verify(baseUrl: string, paymentResponse: string) {
  const response = await fetch(`${baseUrl}/v1/verifications`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ paymentResponse, expected: { merchantId: 'm_123', orderId: 'o_456', amount: { value: 1999, currency: 'USD' } } }),
  });
  return (await response.json()) as { verified: boolean; reason: string };
}

async function settle(key: string): Promise<string> {
  running = await startLocalProcess(dataDir);
  const settled = await postSettlement(running.url, SETTLEMENT_EXAMPLE, key, bearer(running.devTokens.m_123!));
  expect(settled.status).toBe(201);
  return settled.body.paymentResponse;
}

describe('npm run keys:rotate on the local stack', () => {
  it('keeps the previous key trusted for one rotation and retires it at the next, forced', { timeout: 180_000 }, async () => {
    const signedByFirst = await settle('rotation-1');
    await running!.stop();

    rotate();
    const signedBySecond = await settle('rotation-2');
    expect(decodeProtectedHeader(signedBySecond).kid).not.toBe(decodeProtectedHeader(signedByFirst).kid);
    expect(await verify(running!.url, signedByFirst)).toMatchObject({ verified: true, reason: 'OK' });
    const jwks = (await (await fetch(`${running!.url}/.well-known/jwks.json`)).json()) as { keys: Array<{ kid: string }> };
    expect(jwks.keys.map((key) => key.kid)).toEqual([decodeProtectedHeader(signedBySecond).kid, decodeProtectedHeader(signedByFirst).kid]);
    await running!.stop();

    // Inside its retirement window (test/rotation/local-rotation-guards.test.ts): only forced.
    rotate('--force');
    running = await startLocalProcess(dataDir);
    expect(await verify(running.url, signedByFirst)).toMatchObject({ verified: false, reason: 'UNKNOWN_KEY' });
    expect(await verify(running.url, signedBySecond)).toMatchObject({ verified: true, reason: 'OK' });
    await running.stop();
    running = undefined;
  });
});
