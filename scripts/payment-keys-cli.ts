import { runPaymentKeysCli } from './payment-keys/cli.js';

// `npm run keys -- --help` explains everything; the logic lives in ./payment-keys/cli.ts, where tests reach it.
process.exitCode = runPaymentKeysCli(process.argv.slice(2), {
  stdout: (output) => process.stdout.write(`${output}\n`),
  stderr: (output) => process.stderr.write(`${output}\n`),
  now: () => new Date(),
});
