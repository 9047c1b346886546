import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LAMBDA_NODE_TARGET } from '../infra/constructs/bundling-options.js';
import { REPOSITORY_ROOT } from '../local/local-stack.js';

const read = (path: string) => readFileSync(join(REPOSITORY_ROOT, path), 'utf8');
const LAMBDA_MAJOR = Number(/^node(\d+)$/.exec(LAMBDA_NODE_TARGET)![1]);

// Lambda runs one Node version; the project says so everywhere and tests on it, so nothing
// passes here that would fail there (middy 7 and the AWS SDK already require Node 22).
describe('one Node version: the one Lambda runs', () => {
  it('package.json engines, the README and CI name the bundle target', () => {
    expect(JSON.parse(read('package.json')).engines.node).toBe(`>=${LAMBDA_MAJOR}`);
    expect(read('README.md')).toContain(`Requirements: Node.js ${LAMBDA_MAJOR} or later`);
    expect(read('.ci/run')).toContain(`node@${LAMBDA_MAJOR}`);
    expect(read('infra/constructs/api-function.ts')).toContain(`NODEJS_${LAMBDA_MAJOR}_X`);
  });

  it.runIf(process.env.CI === 'true')('CI runs the tests on it', () => {
    expect(Number(process.versions.node.split('.')[0])).toBe(LAMBDA_MAJOR);
  });
});
