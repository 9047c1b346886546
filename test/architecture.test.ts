import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { promisify } from 'node:util';
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

  it('deployed code has no local-only branch', () => {
    expect(offenders(deployed, /\bif\s*\(\s*!?\s*(?:is)?local\b/i)).toEqual([]);
  });

  // Imports are dependency-cruiser's to check (.dependency-cruiser.cjs, in `npm test`); what no
  // import shows is checked here: the environment, the network and the clock.
  it('the domain is pure: no environment, no fetch, no clock of its own', () => {
    const domain = sourceFiles('shared/domain');
    expect(domain.length).toBeGreaterThan(10);
    expect(offenders(domain, /process\.env|fetch\(|Date\.now\(|new Date\(\)/)).toEqual([]);
  });
});

describe('deployed code stays small', () => {
  // dependency-cruiser sees which zod module is imported, not how: `import { z }` names zod's
  // namespace object, which esbuild cannot tree-shake (all of zod/mini and every locale).
  it('imports zod as a namespace (`import * as z`), never its `z` object', () => {
    expect(offenders(deployed, /import\s+\{[^}]*\bz\b[^}]*\}\s+from\s+'[^']*\bzod\b/)).toEqual([]);
  });
});

describe('the architecture check (dependency-cruiser) fails on a violation', () => {
  it('names a domain module that imports an adapter, node:fs or full zod, and a use case that imports the AWS SDK', { timeout: 60_000 }, async () => {
    const tree = mkdtempSync(join(tmpdir(), 'architecture-'));
    try {
      for (const file of ['.dependency-cruiser.cjs', 'tsconfig.json']) copyFileSync(join(REPOSITORY_ROOT, file), join(tree, file));
      const write = (path: string, text: string) => {
        mkdirSync(dirname(join(tree, path)), { recursive: true });
        writeFileSync(join(tree, path), text);
      };
      write('shared/adapters/ledger.ts', 'export const ledger = 1;\n');
      write('shared/domain/impure.ts', "import { ledger } from '../adapters/ledger.js';\nimport { readFileSync } from 'node:fs';\nexport const x = [ledger, readFileSync];\n");
      write('shared/use-cases/leaky.ts', "import { KMSClient } from '@aws-sdk/client-kms';\nexport const y = KMSClient;\n");
      write('shared/domain/classic.ts', "import * as z from 'zod';\nexport const id = z.string();\n");
      const depcruise = join(REPOSITORY_ROOT, 'node_modules', '.bin', 'depcruise');
      const run = promisify(execFile)(depcruise, ['shared', '--config', '.dependency-cruiser.cjs'], { cwd: tree });
      const failure = (await run.then(() => undefined, (error: { stdout: string }) => error)) as { stdout: string } | undefined;
      expect(failure?.stdout).toContain('domain-is-pure: shared/domain/impure.ts → shared/adapters/ledger.ts');
      expect(failure?.stdout).toContain('domain-uses-no-node-module: shared/domain/impure.ts → fs');
      expect(failure?.stdout).toMatch(/use-cases-import-no-adapter: shared\/use-cases\/leaky\.ts → .*@aws-sdk\/client-kms/);
      expect(failure?.stdout).toContain('deployed-code-uses-zod-mini: shared/domain/classic.ts → zod');
    } finally {
      rmSync(tree, { recursive: true, force: true });
    }
  });
});
