import { execFile } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import type { Row } from './table.js';

const REPOSITORY_ROOT = fileURLToPath(new URL('..', import.meta.url));
const WORKER = fileURLToPath(new URL('./config-worker.ts', import.meta.url));

interface ModeResult {
  requests: number;
  elapsedMs: number;
  reads: number;
}

async function runMode(ttlSeconds: number, seconds: number): Promise<ModeResult> {
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', WORKER], {
    cwd: REPOSITORY_ROOT,
    env: {
      ...process.env,
      CONFIG_CACHE_TTL_SECONDS: String(ttlSeconds),
      BENCH_SECONDS: String(seconds),
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    },
    maxBuffer: 1024 * 1024,
  });
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as ModeResult;
}

/**
 * GET /v1/config through the real handler module (middy stack, country resolution, layering,
 * ETag), against an in-process dynalite holding the seed data, with a warm container cache
 * (CONFIG_CACHE_TTL_SECONDS=30) and with the cache off (0: every lookup reads DynamoDB).
 * Each mode runs in a fresh process, as a fresh container would, for `seconds` after a warm-up. Lookups rotate through 12
 * requests (10 countries by query, one by Accept-Language, one by CloudFront-Viewer-Country).
 */
export async function benchConfig(options: { seconds?: number } = {}): Promise<Row[]> {
  const seconds = options.seconds ?? 2;
  const warm = await runMode(30, seconds);
  const off = await runMode(0, seconds);
  const perSecond = (mode: ModeResult) => Math.round((mode.requests / mode.elapsedMs) * 1000);
  const perThousand = (mode: ModeResult) => Math.round((mode.reads / mode.requests) * 1000 * 10) / 10;
  return [
    { name: 'config lookups/s, warm cache', value: perSecond(warm), unit: 'req/s', note: `${warm.requests} lookups in ${seconds} s, after a warm-up` },
    {
      name: 'config lookups/s, cache off',
      value: perSecond(off),
      unit: 'req/s',
      note: `${off.requests} lookups; CONFIG_CACHE_TTL_SECONDS=0, in-process dynalite's time included`,
    },
    { name: 'DynamoDB reads per 1,000 lookups, warm cache', value: perThousand(warm), unit: 'reads', note: 'BatchGetItem calls; at most one per layer per TTL' },
    { name: 'DynamoDB reads per 1,000 lookups, cache off', value: perThousand(off), unit: 'reads', note: 'one BatchGetItem (up to 4 layers) per lookup' },
  ];
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.table(await benchConfig());
}
