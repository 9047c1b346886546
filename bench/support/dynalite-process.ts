import { type ChildProcess, fork } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { fileURLToPath, pathToFileURL } from 'node:url';
import dynalite from 'dynalite';

export interface DynaliteProcess {
  url: string;
  /** The process's CPU time so far (process.cpuUsage() there), to say how busy a run kept it. */
  cpuUsage(): Promise<NodeJS.CpuUsage>;
  /** Ends the process and resolves once it has exited; calling it again is harmless. */
  stop(): Promise<void>;
}

/** How long the child may take to start listening before the bench gives up on it. */
const START_TIMEOUT_MS = 15_000;

/**
 * An in-memory dynalite in a Node process of its own, for throughput benches. In the bench's own
 * process it shares one event loop with the handlers it answers: measured on a 2-core machine,
 * about 270 begin+complete ledger write pairs a second at 16 in flight, against about 620 at 32
 * in flight from a child process; in-process it would bound every mode alike and hide the
 * comparison. The child runs this very file (the block at the end), with this process's
 * TypeScript loader, and dies with its parent.
 */
export async function startDynaliteProcess(): Promise<DynaliteProcess> {
  const child = fork(fileURLToPath(import.meta.url), [], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let port: number;
  try {
    port = await portOf(child);
  } catch (error) {
    child.kill();
    await exited;
    throw error;
  }
  // Answers come back in the order of the questions; a process that died answers none of them.
  const asking: Array<{ resolve(usage: NodeJS.CpuUsage): void; reject(error: Error): void }> = [];
  child.on('message', (message: { cpu?: NodeJS.CpuUsage }) => {
    if (message.cpu) asking.shift()?.resolve(message.cpu);
  });
  const gone = () => new Error("dynalite's process has exited");
  void exited.then(() => asking.splice(0).forEach(({ reject }) => reject(gone())));
  let stopping: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${port}`,
    cpuUsage: () =>
      new Promise((resolve, reject) => {
        if (child.exitCode !== null || child.signalCode !== null) return reject(gone());
        asking.push({ resolve, reject });
        child.send('cpu');
      }),
    stop() {
      if (!stopping) {
        if (child.exitCode === null && child.signalCode === null) child.kill();
        stopping = exited;
      }
      return stopping;
    },
  };
}

function portOf(child: ChildProcess): Promise<number> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`dynalite did not start within ${START_TIMEOUT_MS} ms`)), START_TIMEOUT_MS);
    child.once('message', (message: { port?: unknown }) => {
      clearTimeout(timer);
      if (typeof message.port === 'number') resolve(message.port);
      else reject(new Error(`dynalite's process sent ${JSON.stringify(message)} instead of its port`));
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`dynalite's process exited before listening (code ${code}, signal ${signal})`));
    });
  });
}

// The child: dynalite on a free port, which it sends back; it exits when its parent goes away.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href && process.send) {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  server.listen(0, '127.0.0.1', () => process.send!({ port: (server.address() as AddressInfo).port }));
  process.on('message', (message) => {
    if (message === 'cpu') process.send!({ cpu: process.cpuUsage() });
  });
  process.once('disconnect', () => process.exit(0));
}
