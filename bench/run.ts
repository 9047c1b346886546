import { benchColdStart } from './cold-start.js';
import { benchConfig } from './config.js';
import { printTable, type Row } from './table.js';
import { benchVerification } from './verification.js';

/**
 * `npm run bench`: every benchmark beside its baseline, measured in the same run on the same
 * machine. Numbers on a shared 2-core machine are noisy: compare ratios, not absolutes.
 */
// Node 20 here, nodejs22.x on Lambda: the SDK's notice about Node 20 says nothing about the numbers.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const suites: Array<[string, () => Promise<Row[]>]> = [
  ['Verification: handler throughput beside raw node:crypto ES256 verify', benchVerification],
  ['Config lookups: warm container cache beside every request reading DynamoDB', benchConfig],
  ['Cold start: bundle size and import time per function', benchColdStart],
];

for (const [title, run] of suites) printTable(title, await run());
