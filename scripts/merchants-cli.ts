import { readFile } from 'node:fs/promises';
import { runMerchantsCli } from './merchants/cli.js';

// `npm run merchants -- --help` explains everything; the logic lives in ./merchants/cli.ts, where tests reach it.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

process.exitCode = await runMerchantsCli(process.argv.slice(2), {
  env: process.env,
  stdout: (output) => process.stdout.write(`${output}\n`),
  stderr: (output) => process.stderr.write(`${output}\n`),
  readFile: (path) => readFile(path, 'utf8'),
});
