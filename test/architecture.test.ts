import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPOSITORY_ROOT } from '../local/local-stack.js';

function sourceFiles(folder: string): Array<{ path: string; text: string }> {
  const root = join(REPOSITORY_ROOT, folder);
  const walk = (dir: string): string[] =>
    readdirSync(dir).flatMap((name) => {
      const path = join(dir, name);
      return statSync(path).isDirectory() ? walk(path) : path.endsWith('.ts') && !path.endsWith('.test.ts') ? [path] : [];
    });
  // Comments may explain local behaviour; only code is checked.
  const code = (text: string) => text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
  return walk(root).map((path) => ({ path: relative(REPOSITORY_ROOT, path), text: code(readFileSync(path, 'utf8')) }));
}

const deployed = [...sourceFiles('functions'), ...sourceFiles('shared')];

function offenders(files: Array<{ path: string; text: string }>, pattern: RegExp): string[] {
  return files.filter((file) => pattern.test(file.text)).map((file) => file.path);
}

describe('one code path, local and cloud', () => {
  it('deployed code never names an endpoint: local services come only from AWS_ENDPOINT_URL_*', () => {
    expect(offenders(deployed, /\bendpoint\s*:/)).toEqual([]);
    expect(offenders(deployed, /AWS_ENDPOINT_URL|localhost|127\.0\.0\.1|dynalite|moto/)).toEqual([]);
  });

  it('deployed code has no local-only branch and imports nothing from local/, test/ or infra/', () => {
    expect(offenders(deployed, /\bif\s*\(\s*!?\s*(?:is)?local\b/i)).toEqual([]);
    expect(offenders(deployed, /from '(?:\.\.\/)+(?:local|test|infra|bench)\//)).toEqual([]);
  });

  it('the domain is pure: no AWS SDK, no environment, no I/O', () => {
    const domain = sourceFiles('shared/domain');
    expect(domain.length).toBeGreaterThan(10);
    expect(offenders(domain, /@aws-sdk|@aws-lambda-powertools|process\.env|node:fs|node:http|fetch\(/)).toEqual([]);
  });
});
