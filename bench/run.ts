import { benchColdStart } from './cold-start.js';
import { printTable, type Row } from './table.js';

/**
 * `npm run bench`: every benchmark beside its baseline, measured in the same run on the same
 * machine. Numbers on a shared 2-core machine are noisy: compare ratios, not absolutes.
 */
const suites: Array<[string, () => Promise<Row[]>]> = [['Cold start: bundle size and import time per function', benchColdStart]];

for (const [title, run] of suites) printTable(title, await run());
