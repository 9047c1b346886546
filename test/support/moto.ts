// Starts Python moto's `moto_server` as a second, independent implementation of AWS APIs,
// so contract tests can check our local endpoints against it.
// Locally a missing moto_server only skips those tests (with a notice); under CI it is an error,
// because a silently skipped contract suite would let our endpoints drift from AWS unnoticed.
import { spawn, type ChildProcess } from 'node:child_process';
import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import { createServer } from 'node:net';
import { delimiter, join } from 'node:path';

export interface RunningMoto {
  url: string;
  stop(): Promise<void>;
}

const HOST = '127.0.0.1';
const STARTUP_TIMEOUT_MS = 30_000;
const STOP_GRACE_MS = 5_000;

export async function startMoto(): Promise<RunningMoto | undefined> {
  if (!(await isOnPath('moto_server'))) {
    if (process.env.CI === 'true') {
      throw new Error('moto_server not found on PATH, and CI=true: the moto-backed tests must run in CI');
    }
    console.warn('moto_server not found: skipping moto-backed tests');
    return undefined;
  }
  const port = await findFreePort();
  // detached: moto_server gets its own process group, so stop() can end it and any children it spawned.
  const child = spawn('moto_server', ['-H', HOST, '-p', String(port)], {
    detached: true,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const stopOnExit = () => killGroup(child, 'SIGKILL');
  process.once('exit', stopOnExit);

  const url = `http://${HOST}:${port}`;
  try {
    await waitUntilAnswering(url, child);
  } catch (error) {
    await stopChild(child);
    process.off('exit', stopOnExit);
    throw error;
  }
  return {
    url,
    async stop() {
      await stopChild(child);
      process.off('exit', stopOnExit);
    },
  };
}

async function isOnPath(command: string): Promise<boolean> {
  for (const dir of (process.env.PATH ?? '').split(delimiter).filter(Boolean)) {
    try {
      await access(join(dir, command), constants.X_OK);
      return true;
    } catch {
      // not in this directory
    }
  }
  return false;
}

function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, HOST, () => {
      const address = probe.address();
      probe.close(() => {
        if (address && typeof address === 'object') resolve(address.port);
        else reject(new Error('could not find a free port'));
      });
    });
  });
}

async function waitUntilAnswering(url: string, child: ChildProcess): Promise<void> {
  let stderr = '';
  // The listener stays for the child's whole life: moto logs every request to stderr, and an
  // unread pipe would fill up and stall it.
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-4_000);
  });
  const deadline = Date.now() + STARTUP_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`moto_server exited before answering (code ${child.exitCode ?? child.signalCode}):\n${stderr}`);
    }
    try {
      await fetch(url, { signal: AbortSignal.timeout(1_000) });
      return; // any HTTP answer means it is serving
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  throw new Error(`moto_server did not answer on ${url} within ${STARTUP_TIMEOUT_MS} ms:\n${stderr}`);
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  killGroup(child, 'SIGTERM');
  const timer = setTimeout(() => killGroup(child, 'SIGKILL'), STOP_GRACE_MS);
  await exited;
  clearTimeout(timer);
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal); // the negative pid addresses the whole process group
  } catch {
    child.kill(signal); // the group is gone or not supported: fall back to the process itself
  }
}
