import { execFile } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { build } from 'esbuild';

const CLIENT_DIR = dirname(fileURLToPath(import.meta.url));
export const CLIENT_DIST = join(CLIENT_DIR, 'dist');

/**
 * `npm run build` (here or in client/, where `npm pack` runs it first): the SDK as one ES module (jose bundled in, so it has no runtime dependency
 * and a browser can import it as it is) with type declarations beside it.
 * `platform: 'neutral'` makes any Node built-in a build error, as the client tsconfig's empty
 * `types` makes it a type error.
 */
export async function buildClient(options: { outDir?: string } = {}): Promise<{ outDir: string }> {
  const outDir = resolve(options.outDir ?? CLIENT_DIST);
  await build({
    entryPoints: [join(CLIENT_DIR, 'src/index.ts')],
    outfile: join(outDir, 'index.js'),
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    target: 'es2022',
    sourcemap: true,
    legalComments: 'inline',
    logLevel: 'warning',
  });
  await promisify(execFile)(process.execPath, [typescriptCli(), '-p', join(CLIENT_DIR, 'tsconfig.json'), '--outDir', outDir]);
  return { outDir };
}

/** The tsc entry point of the typescript package, run with this Node (no shell, no npx). */
function typescriptCli(): string {
  const require = createRequire(import.meta.url);
  const manifestPath = require.resolve('typescript/package.json');
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { bin: { tsc: string } };
  return join(dirname(manifestPath), manifest.bin.tsc);
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  // From scratch: a module since removed from src must not linger in dist, and so in the package.
  rmSync(CLIENT_DIST, { recursive: true, force: true });
  const { outDir } = await buildClient();
  console.log(`SDK built: ${join(outDir, 'index.js')} (+ index.d.ts)`);
}
