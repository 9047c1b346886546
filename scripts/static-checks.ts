// The static checks of `npm test` (types, architecture, unused code, the API contract), run side
// by side: on two cores they take little longer than the slowest one, not as long as all. Each check's
// output is printed whole, in this order; the exit code is non-zero if any check failed. Run by
// `npm run check`, which puts node_modules/.bin on the PATH the checks' commands need.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';

const { scripts } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { scripts: Record<string, string> };
// The package.json scripts themselves, without an npm process each (about 0.5 s apiece).
// The last regenerates openapi.json and its types in memory: a stale committed copy fails it.
const CHECKS = ['tsc --noEmit', scripts['check:architecture']!, scripts['check:unused']!, `${scripts.openapi!} --check`];

function run(command: string): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, { shell: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.on('error', (error) => resolve({ code: 1, output: `${output}${error.message}\n` }));
    child.on('close', (code, signal) => resolve({ code: code ?? 1, output: signal ? `${output}killed by ${signal}\n` : output }));
  });
}

const results = await Promise.all(CHECKS.map(run));
results.forEach(({ code, output }, index) => {
  process.stdout.write(output);
  if (code !== 0) process.stderr.write(`\`${CHECKS[index]}\` failed (exit code ${code})\n`);
});
process.exitCode = results.some(({ code }) => code !== 0) ? 1 : 0;
