// What the functions write to stdout and stderr, as Lambda hands it to CloudWatch Logs: Powertools
// Logger and Metrics write there through consoles of their own, so both streams are intercepted.

export interface EmfMetric {
  namespace: string;
  name: string;
  unit: string;
  /** Every dimension set the metric is published under, each sorted by name. */
  dimensionSets: string[][];
  /** The dimension values of its line: { service: 'config', Route: 'GET /v1/config' }. */
  dimensions: Record<string, string>;
  /** The metric's values in its line (Powertools writes several as an array). */
  values: number[];
}

export interface CapturedOutput {
  /** Everything written, in order, stdout and stderr interleaved. */
  text(): string;
  /** Each line that is JSON, parsed. */
  json(): Array<Record<string, unknown>>;
  /** The log lines: JSON with a `level`. */
  logLines(): Array<Record<string, unknown>>;
  /** The answer records: EMF lines (JSON with `_aws`) whose metadata says `request answered` (README, Metrics and logs). */
  answerRecords(): Array<Record<string, unknown>>;
  /** Every metric of every EMF line (JSON with `_aws.CloudWatchMetrics`). */
  metrics(): EmfMetric[];
  /** Each EMF line's dimension values, in the order written: `Route=GET /v1/config,service=config`. */
  emfLineDimensions(): string[];
  stop(): void;
}

type Write = typeof process.stdout.write;

/** Starts capturing; nothing reaches the terminal until `stop()`. */
export function captureOutput(): CapturedOutput {
  const chunks: string[] = [];
  const streams = [process.stdout, process.stderr];
  const originals = streams.map((stream) => stream.write);
  for (const stream of streams) {
    stream.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
      const callback = rest.find((arg) => typeof arg === 'function') as (() => void) | undefined;
      callback?.();
      return true;
    }) as Write;
  }
  const text = () => chunks.join('');
  const json = () =>
    text()
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  return {
    text,
    json,
    logLines: () => json().filter((line) => typeof line.level === 'string'),
    answerRecords: () => json().filter((line) => line._aws !== undefined && line.message === 'request answered'),
    metrics: () => json().flatMap(emfMetrics),
    emfLineDimensions: () =>
      json()
        .filter((line) => line._aws !== undefined)
        .map((line) => {
          const names = (line._aws as { CloudWatchMetrics: EmfDirective[] }).CloudWatchMetrics.flatMap((directive) => directive.Dimensions.flat());
          return [...new Set(names)].sort().map((name) => `${name}=${String(line[name])}`).join(',');
        }),
    stop: () => streams.forEach((stream, index) => (stream.write = originals[index]!)),
  };
}

interface EmfDirective {
  Namespace: string;
  Dimensions: string[][];
  Metrics: Array<{ Name: string; Unit: string }>;
}

function emfMetrics(line: Record<string, unknown>): EmfMetric[] {
  const directives = (line._aws as { CloudWatchMetrics?: EmfDirective[] } | undefined)?.CloudWatchMetrics ?? [];
  return directives.flatMap((directive) =>
    directive.Metrics.map((metric) => {
      const dimensionSets = directive.Dimensions.map((set) => [...set].sort());
      const names = new Set(dimensionSets.flat());
      const value = line[metric.Name];
      return {
        namespace: directive.Namespace,
        name: metric.Name,
        unit: metric.Unit,
        dimensionSets,
        dimensions: Object.fromEntries([...names].map((name) => [name, String(line[name])])),
        values: (Array.isArray(value) ? value : [value]) as number[],
      };
    }),
  );
}

/** Runs `work` with output captured, and hands back both. */
export async function capturing<T>(work: () => Promise<T>): Promise<{ result: T; output: CapturedOutput }> {
  const output = captureOutput();
  try {
    return { result: await work(), output };
  } finally {
    output.stop();
  }
}
