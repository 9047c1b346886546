import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPOSITORY_ROOT } from '../../local/local-stack.js';
import { DEV_TOKENS_FILE } from '../../local/seed-merchants.js';
import { checkAnswersFrom } from './openapi-contract.js';

export interface LocalProcess {
  url: string;
  /** The bearer tokens `npm start` wrote to `<dataDir>/dev-tokens.json` (m_123, m_demo). */
  devTokens: Record<string, string>;
  child: ChildProcess;
  output: () => string;
  /** Sends the signal and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Runs `npm start`'s entry point as its own process, exactly as a user would, on free ports. */
export async function startLocalProcess(dataDir: string, env: Record<string, string> = {}): Promise<LocalProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'local/start.ts'], {
    cwd: REPOSITORY_ROOT,
    env: { ...process.env, PORT: '0', LOCAL_DATA_DIR: dataDir, POWERTOOLS_LOG_LEVEL: 'SILENT', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`local stack did not start in time:\n${output}`)), 45_000);
    const check = () => {
      if (output.includes('Local stack ready')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on('data', check);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`local stack exited with ${code}:\n${output}`));
    });
  });
  const { api } = JSON.parse(readFileSync(join(dataDir, 'endpoints.json'), 'utf8')) as { api: string };
  // Its answers are checked against openapi.json too, as those of the in-process stacks are.
  const stopChecking = checkAnswersFrom(api);
  void exited.then(stopChecking);
  return {
    url: api,
    devTokens: JSON.parse(readFileSync(join(dataDir, DEV_TOKENS_FILE), 'utf8')) as Record<string, string>,
    child,
    output: () => output,
    stop: async (signal = 'SIGTERM') => {
      child.kill(signal);
      return exited;
    },
  };
}
