import { closeSync, openSync, writeSync } from 'node:fs';
import { devNull } from 'node:os';
import { Writable } from 'node:stream';

/**
 * Powertools variables that change what a function writes per request, none of which the
 * deployment sets (infra/constructs/api-function.ts): whatever this shell says, the handlers
 * benched here log at INFO and publish their metrics, as on Lambda.
 */
const UNSET_ON_LAMBDA = [
  'POWERTOOLS_LOG_LEVEL',
  'LOG_LEVEL',
  'AWS_LAMBDA_LOG_LEVEL',
  'POWERTOOLS_LOGGER_SAMPLE_RATE',
  'POWERTOOLS_LOGGER_LOG_EVENT',
  'POWERTOOLS_METRICS_DISABLED',
  'POWERTOOLS_DEV',
];

/**
 * The environment of a deployed function, for its telemetry: Powertools' defaults, plus what
 * Lambda sets that the log lines read. Lambda gives each invocation an X-Ray trace header, which
 * Powertools Logger parses for every line (`xray_trace_id`), and runs in UTC with TZ=:UTC, which
 * keeps the logger's timestamps on `toISOString()`. Call before any handler is created: Powertools
 * reads its variables when a logger or metrics instance is made.
 */
export function useDeployedTelemetryEnv(): void {
  for (const name of UNSET_ON_LAMBDA) delete process.env[name];
  process.env._X_AMZN_TRACE_ID = 'Root=1-6745a3c1-3f1b2c4d5e6f708192a3b4c5;Parent=8f7e6d5c4b3a2910;Sampled=0';
  process.env.TZ = ':UTC';
}

type Write = typeof process.stdout.write;

/** Replaces what process.stdout and process.stderr do with `chunk`; the function returned undoes it. */
function redirectOutput(write: (chunk: string | Uint8Array) => void): () => void {
  const streams = [process.stdout, process.stderr];
  const originals = streams.map((stream) => stream.write);
  // Through a Writable, as process.stdout is one: its bookkeeping per write is paid too.
  const sink = new Writable({
    decodeStrings: false,
    write(chunk: string | Uint8Array, _encoding, done) {
      write(chunk);
      done();
    },
  });
  for (const stream of streams) stream.write = sink.write.bind(sink) as Write;
  return () => streams.forEach((stream, index) => (stream.write = originals[index]!));
}

/**
 * Runs `work` with everything this process writes to stdout and stderr sent to the null device.
 * The handlers keep writing as deployed (Powertools formats and serializes every line, its consoles
 * write to process.stdout), and each line still costs a write system call, as on Lambda, where
 * stdout is a pipe Node writes synchronously; a write to the null device is the cheapest there is,
 * so the figures understate it a little. The bench's tables are printed after, and stay readable.
 */
export async function discardingOutput<T>(work: () => Promise<T>): Promise<T> {
  const devNullFd = openSync(devNull, 'w');
  const restore = redirectOutput((chunk) => (typeof chunk === 'string' ? writeSync(devNullFd, chunk) : writeSync(devNullFd, chunk)));
  try {
    return await work();
  } finally {
    restore();
    closeSync(devNullFd);
  }
}

/** Runs `work` and hands back the lines it wrote to stdout and stderr instead of writing them. */
export async function capturingOutput<T>(work: () => Promise<T>): Promise<{ result: T; lines: string[] }> {
  const chunks: string[] = [];
  const restore = redirectOutput((chunk) => chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8')));
  try {
    const result = await work();
    return { result, lines: chunks.join('').split('\n').filter(Boolean) };
  } finally {
    restore();
  }
}
