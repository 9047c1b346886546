import { execFileSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build, type Metafile } from 'esbuild';
import { lambdaBuildOptions } from '../infra/constructs/bundling-options.js';
import { REPOSITORY_ROOT } from '../local/local-stack.js';
import { kidOfKeyArn } from '../shared/adapters/kms-key-id.js';
import { FUNCTION_IDS, type FunctionId, handlerEntryOf } from '../shared/routes.js';
import { atMost, type Row, summarize } from './table.js';

const ROUNDS = 9;
// Inside the repository (and git-ignored), so that bundles resolve and are loaded as the functions' are.
const OUT_DIR = join(REPOSITORY_ROOT, '.scratch', 'bench-bundles');
/** The Lambda setting the functions are deployed with (ApiFunction). */
const DEPLOYED_NODE_OPTIONS = '--enable-source-maps';
const EMPTY = 'empty handler';

/** The issue's goals: code a verification cold start loads, each bundle, and import time against an empty handler. */
const GOALS = {
  verificationColdStartKiB: 150,
  bundleKiB: 400,
  importRatio: (functionId: FunctionId) => (functionId === 'verification' ? 1.3 : 1.6),
};

const PAYMENT_KEY_ARN = 'arn:aws:kms:us-east-1:000000000000:key/00000000-0000-4000-8000-000000000001';
const VERDICT_KEY_ARN = 'arn:aws:kms:us-east-1:000000000000:key/00000000-0000-4000-8000-000000000002';
const CONFIG_KEY_ARN = 'arn:aws:kms:us-east-1:000000000000:key/00000000-0000-4000-8000-000000000003';

/** A public JWK as the deployment writes it into a function's configuration (infra/constructs/public-key-jwks.ts). */
function deployedJwk(keyArn: string) {
  const { kty, crv, x, y } = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ format: 'jwk' });
  return { kty, crv, x, y, kid: kidOfKeyArn(keyArn), alg: 'ES256', use: 'sig' };
}

/**
 * Placeholder configuration as the deployment sets it: importing a handler parses its env but
 * calls no AWS API. Every function gets all of it; each reads the names of its own contract.
 */
function functionEnv(): Record<string, string> {
  return {
    PAYMENT_SIGNING_KEY_ARN: PAYMENT_KEY_ARN,
    TRUSTED_PAYMENT_KEY_ARNS: PAYMENT_KEY_ARN,
    // The public halves the deployment hands the verifying functions, so a cold start imports them too.
    TRUSTED_PAYMENT_PUBLIC_KEYS: JSON.stringify([deployedJwk(PAYMENT_KEY_ARN)]),
    VERDICT_PUBLIC_KEY: JSON.stringify(deployedJwk(VERDICT_KEY_ARN)),
    VERDICT_SIGNING_KEY_ARN: VERDICT_KEY_ARN,
    CONFIG_SIGNING_KEY_ARN: CONFIG_KEY_ARN,
    CONFIG_PUBLIC_KEY: JSON.stringify(deployedJwk(CONFIG_KEY_ARN)),
    PAYMENT_ISSUER: 'bench',
    LEDGER_TABLE_NAME: 'ledger',
    MERCHANT_TABLE_NAME: 'merchants',
    PAYMENT_PROCESSOR: 'sandbox',
    CONFIG_TABLE_NAME: 'config',
    VIEWER_COUNTRY_ORIGIN_SECRET: 'bench-origin-secret-0123456789',
    AWS_REGION: 'us-east-1',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    POWERTOOLS_LOG_LEVEL: 'SILENT',
  };
}

interface Bundle {
  entryFile: string;
  /** JS bytes Node parses when the handler is imported: index.mjs and the chunks it imports statically, transitively. */
  coldStart: { bytes: number; chunks: number; mapBytes: number };
  /** JS bytes in chunks reached only through `import()`: parsed when that path first runs. */
  lazy: { bytes: number; chunks: number };
  totalBytes: number;
}

/** Builds with the deployed options (plus a metafile) and sorts the output into what a cold start loads and what it does not. */
async function bundle(name: string, entry: string): Promise<Bundle> {
  const outdir = join(OUT_DIR, name.replace(/\W+/g, '-'));
  const { metafile } = await build({ ...lambdaBuildOptions(entry, outdir), metafile: true, logLevel: 'silent' });
  const entryFile = join(outdir, 'index.mjs');
  // Metafile paths are relative to esbuild's working directory, this process's.
  return { entryFile, ...splitOutputs(metafile, relative(process.cwd(), entryFile).split('\\').join('/')) };
}

function splitOutputs(metafile: Metafile, entryKey: string): Omit<Bundle, 'entryFile'> {
  const { outputs } = metafile;
  if (!outputs[entryKey]) throw new Error(`esbuild's metafile has no output ${entryKey}`);
  const closure = (roots: string[], exclude: Set<string>) => {
    const seen = new Set<string>();
    const pending = roots.filter((root) => !exclude.has(root));
    for (let file = pending.pop(); file !== undefined; file = pending.pop()) {
      if (seen.has(file)) continue;
      seen.add(file);
      for (const imported of outputs[file]?.imports ?? []) {
        if (!imported.external && imported.kind === 'import-statement' && !exclude.has(imported.path)) pending.push(imported.path);
      }
    }
    return seen;
  };
  const dynamicTargets = (files: Iterable<string>) =>
    [...files].flatMap((file) => (outputs[file]?.imports ?? []).filter((i) => !i.external && i.kind === 'dynamic-import').map((i) => i.path));

  const loaded = closure([entryKey], new Set());
  // Lazy: whatever import() reaches from anything loaded, and what that imports in turn.
  const lazy = new Set<string>();
  for (let frontier = dynamicTargets(loaded); frontier.length > 0; ) {
    const reached = closure(frontier, new Set([...loaded, ...lazy]));
    for (const file of reached) lazy.add(file);
    frontier = dynamicTargets(reached);
  }
  const bytes = (files: Iterable<string>) => [...files].reduce((sum, file) => sum + (outputs[file]?.bytes ?? 0), 0);
  const js = Object.keys(outputs).filter((file) => file.endsWith('.mjs'));
  return {
    coldStart: { bytes: bytes(loaded), chunks: loaded.size - 1, mapBytes: bytes([...loaded].map((file) => `${file}.map`)) },
    lazy: { bytes: bytes(lazy), chunks: lazy.size },
    totalBytes: bytes(js),
  };
}

interface ColdImport {
  /** From the start of `import()` to the handler module evaluated. */
  importMs: number;
  /** From process start to the handler module evaluated. */
  readyMs: number;
}

/**
 * Imports the bundle in a fresh Node process, timed inside that process: with the deployed
 * NODE_OPTIONS, or without source maps to show what they cost.
 */
function coldImport(file: string, env: Record<string, string>, sourceMaps: boolean): ColdImport {
  const script = [
    'const started = performance.now();',
    `await import(${JSON.stringify(pathToFileURL(file).href)});`,
    'const ready = performance.now();',
    'console.log(JSON.stringify({ importMs: ready - started, readyMs: ready }));',
  ].join(' ');
  // A clean environment, as Lambda's: nothing of this shell (tsx's loader among it) leaks into the child.
  const childEnv = { PATH: process.env.PATH ?? '', ...env, NODE_OPTIONS: sourceMaps ? DEPLOYED_NODE_OPTIONS : '' };
  const output = execFileSync(process.execPath, ['--input-type=module', '-e', script], { env: childEnv, cwd: OUT_DIR }).toString();
  return JSON.parse(output.trim().split('\n').at(-1)!) as ColdImport;
}

/**
 * Per function: the JS a cold start loads (the entry and its static imports, from esbuild's
 * metafile) beside the lazily imported chunks, and the time to import the bundle in a fresh
 * process, as Lambda does, against an empty handler bundled the same way. Functions and the empty
 * handler take turns in each round, so that all see the same machine.
 */
export async function benchColdStart(): Promise<Array<{ title: string; rows: Row[] }>> {
  rmSync(OUT_DIR, { recursive: true, force: true });
  mkdirSync(OUT_DIR, { recursive: true });
  const emptyEntry = join(OUT_DIR, 'empty-handler-source', 'handler.ts');
  mkdirSync(join(emptyEntry, '..'), { recursive: true });
  writeFileSync(emptyEntry, 'export const handler = async () => ({});\n');

  // Verification first: its goals are the strictest.
  const functionIds = [...FUNCTION_IDS].sort((a, b) => Number(b === 'verification') - Number(a === 'verification'));
  const bundles = new Map<string, Bundle>();
  for (const functionId of functionIds) bundles.set(functionId, await bundle(functionId, join(REPOSITORY_ROOT, handlerEntryOf(functionId))));
  bundles.set(EMPTY, await bundle(EMPTY, emptyEntry));

  const env = functionEnv();
  const names = [...bundles.keys()];
  const samples = new Map(names.map((name) => [name, [] as ColdImport[]]));
  const withoutMaps = new Map(names.map((name) => [name, [] as number[]]));
  const ratios = new Map(functionIds.map((functionId) => [functionId, [] as ColdImport[]]));
  for (let round = 0; round < ROUNDS; round++) {
    const order = [...names.slice(round % names.length), ...names.slice(0, round % names.length)];
    const thisRound = new Map(order.map((name) => [name, coldImport(bundles.get(name)!.entryFile, env, true)]));
    for (const [name, sample] of thisRound) samples.get(name)!.push(sample);
    for (const functionId of functionIds) {
      const [sample, empty] = [thisRound.get(functionId)!, thisRound.get(EMPTY)!];
      ratios.get(functionId)!.push({ importMs: sample.importMs / empty.importMs, readyMs: sample.readyMs / empty.readyMs });
    }
    for (const name of order) withoutMaps.get(name)!.push(coldImport(bundles.get(name)!.entryFile, env, false).importMs);
  }

  const kib = (bytes: number) => Math.round((bytes / 1024) * 10) / 10;
  const sizeRows: Row[] = [];
  const importRows: Row[] = [];
  for (const name of names) {
    const { coldStart, lazy, totalBytes } = bundles.get(name)!;
    const isVerification = name === 'verification';
    const isFunction = name !== EMPTY;
    sizeRows.push(
      {
        name: `${name}: JS loaded at cold start`,
        value: kib(coldStart.bytes),
        unit: 'KiB',
        ...(isVerification ? { goal: atMost(kib(coldStart.bytes), GOALS.verificationColdStartKiB) } : {}),
        note: `index.mjs + ${coldStart.chunks} chunks it imports statically`,
      },
      { name: `${name}: JS in lazily imported chunks`, value: kib(lazy.bytes), unit: 'KiB', note: `${lazy.chunks} chunks, read when import() first runs` },
      {
        name: `${name}: JS total (bundle)`,
        value: kib(totalBytes),
        unit: 'KiB',
        ...(isFunction && !isVerification ? { goal: atMost(kib(totalBytes), GOALS.bundleKiB) } : {}),
        note: 'every .mjs of the asset, minified',
      },
      {
        name: `${name}: source maps read at cold start`,
        value: kib(coldStart.mapBytes),
        unit: 'KiB',
        note: `${DEPLOYED_NODE_OPTIONS} reads the map of each file loaded (sourcesContent off)`,
      },
    );
    const imports = samples.get(name)!;
    importRows.push(
      { name: `${name}: cold import`, ...summarize(imports.map((sample) => sample.importMs)), unit: 'ms', note: 'import() of index.mjs, as deployed' },
      { name: `${name}: cold import without source maps`, ...summarize(withoutMaps.get(name)!), unit: 'ms', note: 'not deployed so: what --enable-source-maps costs' },
      { name: `${name}: process start to handler ready`, ...summarize(imports.map((sample) => sample.readyMs)), unit: 'ms', note: "node's own start included" },
    );
  }
  // The goal is on the whole fresh process, as a Lambda init runs it: the issue's "now" (2.4-2.9x)
  // is this ratio; the import alone against an empty handler's ~10 ms says little of a cold start.
  for (const functionId of functionIds) {
    const ratio = summarize(ratios.get(functionId)!.map((sample) => sample.readyMs));
    importRows.push({
      name: `${functionId}: process start to handler ready / empty handler`,
      ...ratio,
      unit: '×',
      goal: atMost(ratio.value, GOALS.importRatio(functionId), '×'),
      note: "median of per-round ratios; node's own start in both, as in a Lambda init",
    });
  }
  for (const functionId of functionIds) {
    importRows.push({
      name: `${functionId}: cold import / empty handler`,
      ...summarize(ratios.get(functionId)!.map((sample) => sample.importMs)),
      unit: '×',
      note: "import() alone, median of per-round ratios; the empty handler's import is ~10 ms of ESM loader",
    });
  }
  return [
    { title: 'Cold start: code per function (esbuild metafile of the deployed build)', rows: sizeRows },
    {
      title: `Cold start: import in a fresh node process, NODE_OPTIONS=${DEPLOYED_NODE_OPTIONS}, ${ROUNDS} interleaved rounds`,
      rows: importRows,
    },
  ];
}
