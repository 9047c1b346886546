// The static checks of `npm test` (types, architecture, unused code), run side by side: on two
// cores they take about as long as the slowest one, not as long as all three. Each check's
// output is printed whole, in this order; the exit code is non-zero if any check failed.
import { spawn } from 'node:child_process';

const CHECKS: [name: string, command: string, args: string[]][] = [
  ['tsc --noEmit', 'tsc', ['--noEmit']],
  ['check:architecture', 'npm', ['run', '-s', 'check:architecture']],
  ['check:unused', 'npm', ['run', '-s', 'check:unused']],
];

function run(command: string, args: string[]): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    // npm run puts node_modules/.bin on PATH, for tsc as for its own scripts.
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.on('error', (error) => resolve({ code: 1, output: `${output}${error.message}\n` }));
    child.on('close', (code, signal) => resolve({ code: code ?? 1, output: signal ? `${output}killed by ${signal}\n` : output }));
  });
}

const results = await Promise.all(CHECKS.map(([, command, args]) => run(command, args)));
results.forEach(({ code, output }, index) => {
  process.stdout.write(output);
  if (code !== 0) process.stderr.write(`${CHECKS[index]![0]} failed (exit code ${code})\n`);
});
process.exitCode = results.some(({ code }) => code !== 0) ? 1 : 0;
