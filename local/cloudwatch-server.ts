// A local HTTP endpoint that speaks CloudWatch's AWS JSON 1.0 protocol for two operations, for
// the local stack and tests: DescribeAlarms (what the rollout driver reads) and SetAlarmState
// (how a user or a test makes an alarm fire). The SDK reaches it only through
// AWS_ENDPOINT_URL_CLOUDWATCH: application code has no "local" branch.
//   request:  POST /, x-amz-target: GraniteServiceVersion20100801.<Action>, a JSON body
//   answer:   200 with a JSON body, or 400 with {"__type": "<error code>", "message": "..."}
// Alarms live in memory, in state OK from the start; SigV4 signatures are not checked.
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { listen } from './listen.js';
import { MAX_REQUEST_BODY_BYTES, readRequestBody } from './request-body.js';

const TARGET_PREFIX = 'GraniteServiceVersion20100801.';
const STATES = ['OK', 'ALARM', 'INSUFFICIENT_DATA'] as const;
type AlarmState = (typeof STATES)[number];

interface LocalAlarm {
  state: AlarmState;
  reason: string;
  updatedAt: Date;
}

export interface RunningCloudWatchServer {
  url: string;
  close(): Promise<void>;
}

class CloudWatchError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export async function startCloudWatchServer(options: { alarmNames: readonly string[]; port?: number; host?: string; region?: string }): Promise<RunningCloudWatchServer> {
  const region = options.region ?? 'us-east-1';
  const alarms = new Map<string, LocalAlarm>(options.alarmNames.map((name) => [name, { state: 'OK', reason: 'created by the local stack', updatedAt: new Date() }]));

  function run(operation: string, body: Record<string, unknown>): object {
    switch (operation) {
      case 'DescribeAlarms': {
        const names = Array.isArray(body.AlarmNames) ? new Set(body.AlarmNames.map(String)) : undefined;
        const state = typeof body.StateValue === 'string' ? body.StateValue : undefined;
        const MetricAlarms = [...alarms]
          .filter(([name, alarm]) => (names === undefined || names.has(name)) && (state === undefined || alarm.state === state))
          .map(([name, alarm]) => ({
            AlarmName: name,
            AlarmArn: `arn:aws:cloudwatch:${region}:000000000000:alarm:${name}`,
            StateValue: alarm.state,
            StateReason: alarm.reason,
            StateUpdatedTimestamp: alarm.updatedAt.getTime() / 1000,
          }));
        return { MetricAlarms, CompositeAlarms: [] };
      }
      case 'SetAlarmState': {
        const name = String(body.AlarmName ?? '');
        const alarm = alarms.get(name);
        if (!alarm) throw new CloudWatchError('ResourceNotFound', `Alarm ${name} does not exist (local alarms: ${[...alarms.keys()].join(', ')})`);
        if (!STATES.includes(body.StateValue as AlarmState)) throw new CloudWatchError('InvalidParameterValue', `StateValue must be one of ${STATES.join(', ')}`);
        alarms.set(name, { state: body.StateValue as AlarmState, reason: String(body.StateReason ?? ''), updatedAt: new Date() });
        return {};
      }
      default:
        throw new CloudWatchError('UnknownOperationException', `The local CloudWatch answers DescribeAlarms and SetAlarmState only, not ${operation}`);
    }
  }

  const server = createServer((request, response) => {
    void (async () => {
      const requestId = randomUUID();
      let status = 200;
      let answer: object;
      try {
        const text = await readRequestBody(request);
        if (text === undefined) throw new CloudWatchError('SerializationException', `the body is larger than ${MAX_REQUEST_BODY_BYTES} bytes`);
        const target = String(request.headers['x-amz-target'] ?? '');
        if (request.method !== 'POST' || !target.startsWith(TARGET_PREFIX)) throw new CloudWatchError('UnknownOperationException', `expected POST / with x-amz-target ${TARGET_PREFIX}<Operation>`);
        const body: unknown = text.trim() === '' ? {} : JSON.parse(text);
        if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new CloudWatchError('SerializationException', 'the body must be a JSON object');
        answer = run(target.slice(TARGET_PREFIX.length), body as Record<string, unknown>);
      } catch (error) {
        status = 400;
        answer = error instanceof CloudWatchError ? { __type: error.code, message: error.message } : { __type: 'SerializationException', message: 'the body is not JSON' };
      }
      const text = JSON.stringify(answer);
      response.writeHead(status, { 'content-type': 'application/x-amz-json-1.0', 'content-length': Buffer.byteLength(text), 'x-amzn-requestid': requestId });
      response.end(text);
    })();
  });
  return listen(server, options.port, options.host);
}
