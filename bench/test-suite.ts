import { spawn } from 'node:child_process';
import { REPOSITORY_ROOT } from '../local/local-stack.js';
import { atMost, type Row } from './table.js';

/** The goal for `npm test`, in seconds. */
const GOAL_SECONDS = 120;
const NAME = '`npm test` wall time';

/**
 * `npm test` as a developer runs it (type check, architecture, unused code, vitest), timed from
 * spawn to exit; its output is discarded and its exit code checked. One run: it takes minutes.
 */
export async function benchTestSuite(options: { skip: boolean }): Promise<Row[]> {
  if (options.skip) {
    return [{ name: NAME, value: Number.NaN, unit: 's', goal: { text: `≤ ${GOAL_SECONDS}`, met: undefined }, note: 'SKIPPED: --skip-test-suite' }];
  }
  const started = performance.now();
  const { code, stderrTail } = await new Promise<{ code: number | null; stderrTail: string }>((resolve, reject) => {
    const child = spawn('npm', ['test'], { cwd: REPOSITORY_ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-4_000);
    });
    child.on('error', reject);
    child.on('close', (exitCode) => resolve({ code: exitCode, stderrTail: stderr }));
  });
  const seconds = (performance.now() - started) / 1000;
  if (code !== 0) {
    const tail = stderrTail.split('\n').slice(-30).map((line) => (line.length > 200 ? `${line.slice(0, 200)}…` : line));
    console.error(`npm test failed (exit ${code}); the end of its stderr:\n${tail.join('\n')}`);
    process.exitCode = 1;
  }
  return [
    {
      name: NAME,
      value: Math.round(seconds * 10) / 10,
      unit: 's',
      // A failing suite's time says nothing about the goal.
      goal: { ...atMost(seconds, GOAL_SECONDS), ...(code === 0 ? {} : { met: false }) },
      note: code === 0 ? 'one run, output discarded, exit code 0' : `FAILED: exit code ${code}`,
    },
  ];
}
