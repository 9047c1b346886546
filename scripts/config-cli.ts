import { readFile, writeFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { text } from 'node:stream/consumers';
import { runConfigCli } from './config/cli.js';

// `npm run config -- --help` explains everything; the logic lives in ./config/cli.ts, where tests reach it.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

process.exitCode = await runConfigCli(process.argv.slice(2), {
  env: process.env,
  stdout: (output) => process.stdout.write(`${output}\n`),
  stderr: (output) => process.stderr.write(`${output}\n`),
  readFile: (path) => (path === '-' ? text(process.stdin) : readFile(path, 'utf8')),
  writeFile: (path, contents) => writeFile(path, contents, 'utf8'),
  userName: () => {
    try {
      return userInfo().username;
    } catch {
      return 'unknown';
    }
  },
});
