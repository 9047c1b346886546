import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { REPOSITORY_ROOT } from '../../local/local-stack.js';
import { type LocalProcess, startLocalProcess } from '../support/local-process.js';
import { bearer, postSettlement, SETTLEMENT_EXAMPLE } from '../support/test-stack.js';

// `npm run keys:rotate`, as a user runs it, against data `npm start` uses.
let running: LocalProcess | undefined;
const dataDirs: string[] = [];

afterEach(async () => {
  await running?.stop('SIGKILL');
  running = undefined;
  for (const dir of dataDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function freshDataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'signed-pay-rotation-guard-'));
  dataDirs.push(dir);
  return dir;
}

function rotate(dataDir: string): { status: number | null; output: string } {
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'local/rotate-key.ts'], {
    cwd: REPOSITORY_ROOT,
    env: { ...process.env, LOCAL_DATA_DIR: dataDir },
    encoding: 'utf8',
  });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

async function verify(baseUrl: string, paymentResponse: string): Promise<{ verified: boolean; reason: string }> {
  const response = await fetch(`${baseUrl}/v1/verifications`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ paymentResponse, expected: { merchantId: 'm_123', orderId: 'o_456', amount: { value: 1999, currency: 'USD' } } }),
  });
  return (await response.json()) as { verified: boolean; reason: string };
}

describe('npm run keys:rotate', () => {
  it('refuses (exit 1) while npm start runs on the same data, and rotates once the stack is gone, even killed without cleaning up', { timeout: 120_000 }, async () => {
    const dataDir = freshDataDir();
    running = await startLocalProcess(dataDir);

    const refused = rotate(dataDir);
    expect(refused.status).toBe(1);
    expect(refused.output).toMatch(new RegExp(`Refused: ${dataDir.replaceAll('\\', '\\\\')} is in use by npm start \\(pid ${running.child.pid}, .*\\): stop it first`));

    // SIGKILL: the stack cannot release what it holds; a dead holder must not block forever.
    await running.stop('SIGKILL');
    running = undefined;
    expect(rotate(dataDir)).toMatchObject({ status: 0, output: expect.stringContaining('current payment key:') });
  });

  it('refuses a second rotation inside the retirement window, so a replayed Idempotency-Key still gets a receipt that verifies', { timeout: 180_000 }, async () => {
    const dataDir = freshDataDir();
    running = await startLocalProcess(dataDir);
    const first = await postSettlement(running.url, SETTLEMENT_EXAMPLE, 'live-key', bearer(running.devTokens.m_123!));
    expect(first.status).toBe(201);
    await running.stop();
    running = undefined;

    expect(rotate(dataDir).status).toBe(0);
    const second = rotate(dataDir);
    expect(second.status).toBe(1);
    expect(second.output).toMatch(/Refused: the previous local payment key .* is still inside its retirement window: .*Keep it trusted, or force the retirement \(--force\)/);

    running = await startLocalProcess(dataDir);
    const replay = await postSettlement(running.url, SETTLEMENT_EXAMPLE, 'live-key', bearer(running.devTokens.m_123!));
    expect(replay.text).toBe(first.text);
    expect(await verify(running.url, replay.body.paymentResponse)).toMatchObject({ verified: true, reason: 'OK' });
  });
});
