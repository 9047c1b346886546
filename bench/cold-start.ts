import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { lambdaBuildOptions } from '../infra/constructs/bundling-options.js';
import { REPOSITORY_ROOT } from '../local/local-stack.js';
import { FUNCTION_IDS, handlerEntryOf } from '../shared/routes.js';
import { median, type Row } from './table.js';

const RUNS = 7;
// Inside the repository so that the naive bundle's bare imports resolve from node_modules.
const OUT_DIR = join(REPOSITORY_ROOT, '.scratch', 'bench-bundles');

/** Placeholder configuration: importing a handler parses its env but calls no AWS API. */
const FUNCTION_ENV = {
  PAYMENT_SIGNING_KEY_ARN: 'arn:aws:kms:us-east-1:000000000000:key/00000000-0000-4000-8000-000000000001',
  TRUSTED_PAYMENT_KEY_ARNS: 'arn:aws:kms:us-east-1:000000000000:key/00000000-0000-4000-8000-000000000001',
  VERDICT_SIGNING_KEY_ARN: 'arn:aws:kms:us-east-1:000000000000:key/00000000-0000-4000-8000-000000000002',
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

async function bundle(functionId: string, variant: 'deployed' | 'naive'): Promise<string> {
  const outdir = join(OUT_DIR, functionId, variant);
  await build({
    ...lambdaBuildOptions(join(REPOSITORY_ROOT, handlerEntryOf(functionId as never)), outdir),
    logLevel: 'silent',
    // The naive path: nothing bundled or minified, every package loaded from node_modules at
    // start, as when relying on the runtime's own SDK.
    ...(variant === 'naive' ? { packages: 'external', minify: false, sourcemap: false } : {}),
  });
  return join(outdir, 'index.mjs');
}

/** Milliseconds to import the module in a fresh Node process, measured inside that process. */
function coldImportMs(file: string): number {
  const script = `const t = performance.now(); await import(${JSON.stringify(pathToFileURL(file).href)}); console.log(performance.now() - t);`;
  const samples = Array.from({ length: RUNS }, () =>
    Number(execFileSync(process.execPath, ['--input-type=module', '-e', script], { env: { ...process.env, ...FUNCTION_ENV } }).toString().trim()),
  );
  return median(samples);
}

export async function benchColdStart(): Promise<Row[]> {
  rmSync(OUT_DIR, { recursive: true, force: true });
  mkdirSync(OUT_DIR, { recursive: true });
  const rows: Row[] = [];
  for (const functionId of FUNCTION_IDS) {
    const deployed = await bundle(functionId, 'deployed');
    const naive = await bundle(functionId, 'naive');
    const deployedMs = coldImportMs(deployed);
    const naiveMs = coldImportMs(naive);
    rows.push(
      { name: `${functionId}: bundle size`, value: statSync(deployed).size / 1024, unit: 'KiB', note: 'minified ESM, AWS SDK inside' },
      { name: `${functionId}: cold import, deployed bundle`, value: deployedMs, unit: 'ms', note: `median of ${RUNS} fresh processes` },
      { name: `${functionId}: cold import, naive (node_modules)`, value: naiveMs, unit: 'ms', note: `baseline; deployed is ${(naiveMs / deployedMs).toFixed(1)}x faster` },
    );
  }
  return rows;
}
