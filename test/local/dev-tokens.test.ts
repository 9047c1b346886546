import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ensureJwtIssuer } from '../../local/jwt-issuer.js';
import { runMerchantsCli } from '../../scripts/merchants/cli.js';
import { type LocalProcess, startLocalProcess } from '../support/local-process.js';
import { bearer, postSettlement, SETTLEMENT_EXAMPLE } from '../support/test-stack.js';

const dataDir = mkdtempSync(join(tmpdir(), 'signed-pay-dev-tokens-'));
let running: LocalProcess | undefined;

afterAll(async () => {
  await running?.stop('SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
});

const THIRTY_DAYS_S = 30 * 24 * 60 * 60;

function devTokens(): Record<string, string> {
  return JSON.parse(readFileSync(join(dataDir, 'dev-tokens.json'), 'utf8')) as Record<string, string>;
}

/** `npm run merchants -- <argv> --local --json` against the running stack. */
async function merchants(...argv: string[]): Promise<any> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runMerchantsCli([...argv, '--local', '--json'], {
    env: { LOCAL_DATA_DIR: dataDir },
    stdout: (text) => out.push(text),
    stderr: (text) => err.push(text),
    readFile: (path) => readFile(path, 'utf8'),
  });
  expect(code, err.join('\n')).toBe(0);
  return JSON.parse(out.join('\n'));
}

async function expectValidForAtLeast30Days(tokens: Record<string, string>): Promise<void> {
  const issuer = await ensureJwtIssuer(dataDir);
  for (const [merchantId, token] of Object.entries(tokens)) {
    const claims = await issuer.verify(token);
    expect(claims.sub).toBe(merchantId);
    expect(claims.exp! - Date.now() / 1000).toBeGreaterThan(THIRTY_DAYS_S);
  }
}

describe('npm start and the seed merchants', () => {
  it('seeds m_123 and m_demo, prints and writes their tokens, and keeps operator changes across a restart', { timeout: 180_000 }, async () => {
    running = await startLocalProcess(dataDir);
    const first = devTokens();
    expect(Object.keys(first).sort()).toEqual(['m_123', 'm_demo']);
    await expectValidForAtLeast30Days(first);
    expect(running.output()).toContain(`Token m_123   ${first.m_123}`);
    expect(running.output()).toContain(`Token m_demo  ${first.m_demo}`);
    expect(running.output()).toContain('export TOKEN=');

    // The demo page pays as m_demo with its token, fetched from its own origin.
    const demoConfig = await fetch(`${running.url}/demo-config.json`);
    expect(demoConfig.headers.get('cache-control')).toBe('no-store');
    expect(await demoConfig.json()).toEqual({ accessToken: first.m_demo });

    expect((await postSettlement(running.url, SETTLEMENT_EXAMPLE, 'dev-none')).status).toBe(401);
    expect((await postSettlement(running.url, SETTLEMENT_EXAMPLE, 'dev-token', bearer(first.m_123!))).status).not.toBe(401);

    const seeded = await merchants('list');
    expect(seeded).toEqual([
      { merchantId: 'm_123', mode: 'test', status: 'active', callers: ['jwt:https://issuer.signed-pay.test|m_123'] },
      { merchantId: 'm_demo', mode: 'test', status: 'active', callers: ['jwt:https://issuer.signed-pay.test|m_demo'] },
    ]);
    await merchants('suspend', 'm_123');
    await merchants('add-caller', 'm_demo', '--caller', 'arn:aws:iam::123456789012:role/demo-shop');

    expect(await running.stop('SIGTERM')).toBe(0);
    running = await startLocalProcess(dataDir);

    const second = devTokens();
    expect(Object.keys(second).sort()).toEqual(['m_123', 'm_demo']);
    expect(second.m_123).not.toBe(first.m_123);
    await expectValidForAtLeast30Days(second);
    // Tokens from before the restart still verify: the issuer key is kept.
    await expectValidForAtLeast30Days(first);

    const after = await merchants('list');
    expect(after).toEqual([
      { ...seeded[0], status: 'suspended' },
      { ...seeded[1], callers: [...seeded[1].callers, 'iam:arn:aws:iam::123456789012:role/demo-shop'] },
    ]);
  });
});
