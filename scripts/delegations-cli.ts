import { readFile } from 'node:fs/promises';
import { runDelegationsCli } from './delegations/cli.js';

// `npm run delegations -- --help` explains everything; the logic lives in ./delegations/cli.ts, where tests reach it.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

process.exitCode = await runDelegationsCli(process.argv.slice(2), {
  env: process.env,
  stdout: (output) => process.stdout.write(`${output}\n`),
  stderr: (output) => process.stderr.write(`${output}\n`),
  readFile: (path) => readFile(path, 'utf8'),
});
