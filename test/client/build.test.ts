import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildClient } from '../../client/build.js';

// `npm run build` writes client/dist; this builds the same into a directory of its own.
let outDir: string;
beforeAll(async () => {
  outDir = mkdtempSync(join(tmpdir(), 'signed-pay-sdk-'));
  await buildClient({ outDir });
}, 120_000);
afterAll(() => {
  if (outDir) rmSync(outDir, { recursive: true, force: true });
});

describe('the built SDK', () => {
  it('is one ES module with no imports at all: jose is inside, and no Node built-in is', () => {
    const bundle = readFileSync(join(outDir, 'index.js'), 'utf8');
    expect(bundle).not.toMatch(/^\s*import\s/m);
    expect(bundle).not.toMatch(/\brequire\(|node:|\bprocess\.|\bBuffer\b/);
  });

  it('has type declarations beside it that do not refer to its bundled dependency', () => {
    const declarations = readFileSync(join(outDir, 'index.d.ts'), 'utf8');
    expect(declarations).toContain('export declare function createClient(options: ClientOptions): SignedPayClient;');
    expect(readFileSync(join(outDir, 'types.d.ts'), 'utf8')).not.toContain("from 'jose'");
  });

  it('loads as it is and exports the client and its errors', async () => {
    const sdk = (await import(pathToFileURL(join(outDir, 'index.js')).href)) as Record<string, unknown>;
    expect(Object.keys(sdk).sort()).toEqual([
      'ApiError',
      'AuthError',
      'ConfigKeysUnavailableError',
      'ConfigRejectedError',
      'InvalidResponseError',
      'NetworkError',
      'SignedPayError',
      'TimeoutError',
      'VERIFICATION_REASONS',
      'VerdictKeysUnavailableError',
      'VerdictRejectedError',
      'VerificationUnavailableError',
      'WebCryptoUnavailableError',
      'createClient',
    ]);
  });
});
