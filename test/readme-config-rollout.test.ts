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
  // The stack's rollout driver runs on its default timer (every 5 s), as under `npm start`.
  stack = await startTestStack();
  workDir = mkdtempSync(join(tmpdir(), 'signed-pay-readme-rollout-'));
  // What `npm start` writes for --local to find it.
  writeFileSync(
    join(stack.dataDir, 'endpoints.json'),
    JSON.stringify({ api: stack.url, dynamodb: stack.dynamodbUrl, kms: stack.kmsUrl, cloudwatch: stack.cloudwatchUrl, dataDir: stack.dataDir }),
  );
}, 120_000);
afterAll(async () => {
  await stack?.stop();
  rmSync(workDir, { recursive: true, force: true });
});

describe('the README: staged rollouts', () => {
  it('examples run as printed: stage 1 sees the new version, the alarm rolls it back, history tells why', { timeout: 120_000 }, async () => {
    const script = codeBlockAfter('### Staged rollouts', 'sh').replaceAll('eu.json', join(workDir, 'eu.json'));
    const { stdout } = await promisify(execFile)('bash', ['-euo', 'pipefail', '-c', script], {
      cwd: REPOSITORY_ROOT,
      env: { ...process.env, LOCAL_DATA_DIR: stack.dataDir, CONFIG_TABLE_NAME: '', AWS_ENDPOINT_URL_DYNAMODB: '' },
    });
    const versions = [...stdout.matchAll(/"version": "(default@[^"]+)"/g)].map((match) => /group:EU@\d+/.exec(match[1]!)?.[0]);
    expect(versions).toEqual(['group:EU@2', 'group:EU@1', 'group:EU@1']);
    expect(stdout).toContain('Rollout group:EU@2 started');
    expect(stdout).toContain('Alarm config-errors is now ALARM.');
    expect(stdout).toMatch(/rolled back: every country is on version 1/);
    expect(stdout).toMatch(/1\/3\s+DE\s+\S+\s+\S+\s+alarm config-errors in ALARM/);
    expect(stdout).toMatch(/3\/3\s+AT,BE,BG,CY,CZ,DK,EE,ES,… \(24 countries\)\s+never started/);
  });
});
