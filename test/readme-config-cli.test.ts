import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPOSITORY_ROOT } from '../local/local-stack.js';
import { codeBlockAfter } from './support/readme.js';
import { startTestStack, type TestStack } from './support/test-stack.js';


let stack: TestStack;
let workDir: string;
beforeAll(async () => {
  stack = await startTestStack();
  workDir = mkdtempSync(join(tmpdir(), 'signed-pay-readme-config-'));
  // What `npm start` writes for --local to find it.
  writeFileSync(join(stack.dataDir, 'endpoints.json'), JSON.stringify({ api: stack.url, dynamodb: stack.dynamodbUrl, kms: stack.kmsUrl, dataDir: stack.dataDir }));
}, 120_000);
afterAll(async () => {
  await stack?.stop();
  rmSync(workDir, { recursive: true, force: true });
});

describe('the README: npm run config', () => {
  it('examples run as printed against the local stack, get --out feeding put', { timeout: 120_000 }, async () => {
    // Only the file moves out of the repository; every command runs as written.
    const script = codeBlockAfter('Against the stack `npm start` runs (`--local`)', 'sh').replaceAll('de.json', join(workDir, 'de.json'));
    const { stdout } = await promisify(execFile)('bash', ['-euo', 'pipefail', '-c', script], {
      cwd: REPOSITORY_ROOT,
      env: { ...process.env, LOCAL_DATA_DIR: stack.dataDir, CONFIG_TABLE_NAME: '', AWS_ENDPOINT_URL_DYNAMODB: '' },
    });
    expect(stdout).toMatch(/country:DE\s+1\s/);
    expect(stdout).toContain('"country": "DE"');
    expect(stdout).toContain('Wrote country:DE version 1');
    expect(stdout).toContain('country:DE: the document is valid');
    expect(stdout).toContain('country:DE is now at version 2.');
    expect(stdout).toContain('country:DE is now at version 1 again.');
  });
});
