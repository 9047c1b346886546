import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildClient } from '../client/build.js';
import { REPOSITORY_ROOT } from '../local/local-stack.js';
import { codeBlockAfter, readme } from './support/readme.js';
import { startTestStack, type TestStack } from './support/test-stack.js';


let stack: TestStack;
let workDir: string;
beforeAll(async () => {
  stack = await startTestStack();
  workDir = mkdtempSync(join(tmpdir(), 'signed-pay-readme-'));
  await buildClient({ outDir: join(workDir, 'dist') });
}, 120_000);
afterAll(async () => {
  await stack?.stop();
  rmSync(workDir, { recursive: true, force: true });
});

describe('the README', () => {
  it('SDK example runs as written against the local stack, twice, paying once', { timeout: 60_000 }, async () => {
    const example = codeBlockAfter('## Client SDK', 'js')
      .replace("'./client/dist/index.js'", `'${pathToFileURL(join(workDir, 'dist', 'index.js')).href}'`)
      .replaceAll('http://127.0.0.1:3000', stack.url);
    const file = join(workDir, 'example.mjs');
    writeFileSync(file, example);
    const run = async (token: string | undefined) => {
      const { TOKEN: _exported, ...env } = process.env;
      return (await promisify(execFile)(process.execPath, [file], { env: token === undefined ? env : { ...env, TOKEN: token } })).stdout;
    };
    const first = await run(stack.devTokens.m_123);
    expect(first).toContain('JP ja-JP');
    expect(first).toMatch(/paid: pay_[A-Za-z0-9_-]+/);
    // The example uses a fixed Idempotency-Key: running it again is the same payment.
    expect(await run(stack.devTokens.m_123)).toContain(/paid: (pay_[A-Za-z0-9_-]+)/.exec(first)![1]);
    // Its `auth` is what lets it settle: without the token the gateway refuses, and it says so.
    const refused = await run(undefined);
    expect(refused).not.toContain('paid:');
    expect(refused).toMatch(/^http-error\n401 \[\] request /m);
  });

  it('defaults example answers the app\'s own configuration when the service cannot be reached', { timeout: 60_000 }, async () => {
    const example = codeBlockAfter('### In-app defaults and offline start', 'js').replace(
      "'./client/dist/index.js'",
      `'${pathToFileURL(join(workDir, 'dist', 'index.js')).href}'`,
    );
    const file = join(workDir, 'defaults-example.mjs');
    writeFileSync(file, example);
    const { stdout } = await promisify(execFile)(process.execPath, [file]);
    expect(stdout.trim()).toBe('defaults app-1.0 true USD');
  });

  it('curl examples of settlement and verification run verbatim with the printed token', { timeout: 60_000 }, async () => {
    const shell = (heading: string) => codeBlockAfter(heading, 'sh').replaceAll('http://127.0.0.1:3000', stack.url);
    const run = async (script: string) =>
      (await promisify(execFile)('bash', ['-euo', 'pipefail', '-c', script], { env: { ...process.env, TOKEN: stack.devTokens.m_123 } })).stdout;

    const settled = await run(shell('### POST /v1/settlements'));
    expect(settled).toMatch(/^HTTP\/1\.1 201/);
    const verified = JSON.parse(await run(codeBlockAfter('Other answers:', 'sh').replaceAll('http://127.0.0.1:3000', stack.url)));
    expect(verified).toMatchObject({ verified: true, paymentCompleted: true, reason: 'OK', livemode: false, verdict: expect.any(String) });
  });

  it('tells how to export the token the examples use, from the file npm start writes', () => {
    expect(codeBlockAfter('Open http://127.0.0.1:3000/', 'sh')).toContain("require('./.local/dev-tokens.json').m_123");
  });

  it('quick start names the commands package.json has', () => {
    const scripts = JSON.parse(readFileSync(join(REPOSITORY_ROOT, 'package.json'), 'utf8')).scripts as Record<string, string>;
    for (const [, name] of readme.matchAll(/npm (?:run )?([a-z]+(?::[a-z]+)?)/g)) {
      if (['ci', 'install', 'pack', 'run'].includes(name!)) continue; // npm's own commands
      expect(Object.keys(scripts), `README mentions npm ${name}`).toContain(name);
    }
  });
});
