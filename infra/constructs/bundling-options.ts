import { fileURLToPath } from 'node:url';
import type { BuildOptions } from 'esbuild';

/**
 * How every Lambda function is bundled, in one place: `ApiFunction` runs esbuild with
 * `lambdaBuildOptions` when CDK stages its asset, and the benchmark bundles with the very same
 * options, so what is measured is what is deployed.
 */

/** Lambda's `nodejs22.x` runtime. */
export const LAMBDA_NODE_TARGET = 'node22';

/**
 * ESM bundles have no `require`, but CommonJS dependencies bundled into them still call it
 * (the AWS SDK requires `node:https` and friends): without this, loading fails with
 * `Dynamic require of "node:https" is not supported`.
 */
export const ESM_REQUIRE_BANNER = "import { createRequire } from 'module'; const require = createRequire(import.meta.url);";

/** Prefer packages' ESM builds: they tree-shake, so the bundle (and cold start) is smaller. */
export const MAIN_FIELDS = ['module', 'main'];

/** The entry file is `index.mjs`, so Lambda's handler setting is `index.handler`. */
export const ENTRY_NAME = 'index';

/**
 * Packages the SDK imports lazily, only when the environment holds no credentials (which on
 * Lambda it always does) or only in a browser: about 105 KiB of every bundle (nested STS/SSO
 * clients, their token providers, the browser user-agent parser) that a function never runs.
 * Each is replaced by a module whose import fails, saying why. The container credentials and
 * instance metadata sources stay: a runtime may hand credentials that way.
 */
const NOT_ON_LAMBDA = fileURLToPath(new URL('../bundling/credential-source-not-bundled.mjs', import.meta.url));
const NEVER_LOADED_ON_LAMBDA = Object.fromEntries(
  [
    '@aws-sdk/credential-provider-ini',
    '@aws-sdk/credential-provider-sso',
    '@aws-sdk/credential-provider-process',
    '@aws-sdk/credential-provider-web-identity',
    'bowser',
  ].map((name) => [name, NOT_ON_LAMBDA]),
);

/**
 * The esbuild options of a function bundle. Nothing is external: the pinned AWS SDK is
 * bundled and minified, which loaded faster than the runtime's unbundled copy and keeps the
 * SDK version the one we tested. Code splitting puts what a handler loads with `import()` (the
 * SDK clients of a path not every request takes) in chunks of their own, which Node reads only
 * when that path first runs: a cold start parses just the entry file and what it imports
 * statically. Source maps carry no sources: stack traces only need the mappings, and a smaller
 * map is parsed faster at cold start.
 */
export const LAMBDA_ESBUILD_OPTIONS = {
  platform: 'node',
  target: LAMBDA_NODE_TARGET,
  format: 'esm',
  bundle: true,
  splitting: true,
  minify: true,
  sourcemap: true,
  sourcesContent: false,
  banner: { js: ESM_REQUIRE_BANNER },
  mainFields: MAIN_FIELDS,
  external: [],
  alias: NEVER_LOADED_ON_LAMBDA,
  outExtension: { '.js': '.mjs' },
  entryNames: '[name]',
  chunkNames: 'chunks/[name]-[hash]',
  logLevel: 'warning',
} satisfies BuildOptions;

/** The whole build of one function: its handler file in, `index.mjs` (with its map) and its chunks out in `outdir`. */
export function lambdaBuildOptions(entry: string, outdir: string): BuildOptions & { outdir: string } {
  return { ...LAMBDA_ESBUILD_OPTIONS, entryPoints: { [ENTRY_NAME]: entry }, outdir };
}
