import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPOSITORY_ROOT } from '../../local/local-stack.js';
import { DEV_TOKENS_FILE } from '../../local/seed-merchants.js';

/** `npm start` as a child process: the unit the chaos run SIGKILLs, as a host or container dies. */
export interface StackProcess {
  url: string;
  port: number;
  devTokens: Record<string, string>;
  /** SIGKILL, no chance to finish anything; resolves once the process is gone. */
  kill(): Promise<void>;
  /** SIGTERM (the stack stops itself), SIGKILL if it has not within a few seconds. */
  stop(): Promise<void>;
}

const READY_LINE = 'Local stack ready.';
const READY_TIMEOUT_MS = 60_000;
const STOP_GRACE_MS = 5_000;
const GUARD = new URL('./exit-with-parent.ts', import.meta.url).href;

/** Children still running: the exit hook kills them whatever way the run ends. */
const running = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/**
 * Starts local/start.ts with `env` on top of ours, its output appended to `logFile`, and waits
 * until it says it is ready. `port` 0 picks a free one; a restart passes the old one, so that
 * clients keep their URL as they would behind a load balancer.
 */
export async function startStackProcess(options: { dataDir: string; port: number; env: Record<string, string>; logFile: string }): Promise<StackProcess> {
  const log = createWriteStream(options.logFile, { flags: 'a' });
  const child = spawn(process.execPath, ['--import', 'tsx', '--import', GUARD, 'local/start.ts'], {
    cwd: REPOSITORY_ROOT,
    env: { ...process.env, ...options.env, PORT: String(options.port), LOCAL_DATA_DIR: options.dataDir },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  running.add(child);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  void exited.then(() => {
    running.delete(child);
    log.end();
  });
  child.stdout!.pipe(log, { end: false });
  child.stderr!.pipe(log, { end: false });

  await new Promise<void>((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`the stack did not start within ${READY_TIMEOUT_MS} ms; see ${options.logFile}`)), READY_TIMEOUT_MS);
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes(READY_LINE)) {
        clearTimeout(timer);
        resolve();
      }
    });
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`the stack exited while starting (code ${child.exitCode}); see ${options.logFile}`));
    });
  }).catch(async (error: unknown) => {
    child.kill('SIGKILL');
    await exited;
    throw error;
  });

  const { api } = JSON.parse(readFileSync(join(options.dataDir, 'endpoints.json'), 'utf8')) as { api: string };
  return {
    url: api,
    port: Number(new URL(api).port),
    devTokens: JSON.parse(readFileSync(join(options.dataDir, DEV_TOKENS_FILE), 'utf8')) as Record<string, string>,
    kill: async () => {
      child.kill('SIGKILL');
      await exited;
    },
    stop: async () => {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
      await exited;
      clearTimeout(timer);
    },
  };
}
