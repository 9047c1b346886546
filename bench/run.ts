import { benchColdStart } from './cold-start.js';
import { benchConfig } from './config.js';
import { benchDelegatedSigning } from './delegation.js';
import { benchSettlement } from './settlement.js';
import { discardingOutput, useDeployedTelemetryEnv } from './support/deployed-telemetry.js';
import { printTable, type Row } from './table.js';
import { benchTestSuite } from './test-suite.js';
import { benchVerification } from './verification.js';

/**
 * `npm run bench`: every benchmark beside its baseline, measured in the same run on the same
 * machine, then the goals in one table. Numbers on a shared 2-core machine are noisy:
 * compare ratios and medians, and look at the spread. `npm run bench -- --skip-test-suite`
 * leaves out the timing of `npm test` (minutes).
 */
// Node 20 here, nodejs22.x on Lambda: the SDK's notice about Node 20 says nothing about the numbers.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
// The handlers run in this process and write what they write on Lambda, their EMF lines (answer
// records among them) and log lines at INFO, all of it paid in the figures; while a suite runs
// them, their output goes to the null device instead of burying the tables.
useDeployedTelemetryEnv();

const SKIP_TEST_SUITE = '--skip-test-suite';
const unknown = process.argv.slice(2).filter((arg) => arg !== SKIP_TEST_SUITE);
if (unknown.length > 0) throw new Error(`unknown arguments ${unknown.join(' ')}; the only one is ${SKIP_TEST_SUITE}`);

type Tables = Array<{ title: string; rows: Row[] }>;
const suites: Array<() => Promise<Tables>> = [
  benchColdStart,
  () => discardingOutput(benchVerification),
  async () => [{ title: 'Config lookups: warm container cache (signed, and signing off) beside every request reading DynamoDB', rows: await discardingOutput(() => benchConfig()) }],
  async () => [{ title: 'Settlement: AWS calls per request, counted at the local DynamoDB and KMS endpoints', rows: await discardingOutput(benchSettlement) }],
  // Issue 13: kms vs delegated signing mode against a KMS that throttles; about a minute.
  () => discardingOutput(benchDelegatedSigning),
  // Last, with nothing else running: it starts local stacks of its own.
  async () => [{ title: '`npm test`', rows: await benchTestSuite({ skip: process.argv.includes(SKIP_TEST_SUITE) }) }],
];

const withGoals: Row[] = [];
for (const suite of suites) {
  for (const { title, rows } of await suite()) {
    printTable(title, rows);
    withGoals.push(...rows.filter((row) => row.goal));
  }
}
printTable("Goals: every figure of the issue's table, from the tables above", withGoals);
