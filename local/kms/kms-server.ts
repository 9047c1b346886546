// A local HTTP endpoint that speaks AWS KMS's JSON 1.1 protocol, for the local stack and tests.
// The AWS SDK reaches it only through AWS_ENDPOINT_URL_KMS: application code has no "local" branch.
//   request:  POST /, x-amz-target: TrentService.<Action>, a JSON body; binary members base64
//   answer:   200 with a JSON body, or 400 with {"__type": "<KMS error code>", "message": "..."}
// SigV4 signatures are not checked: any credentials are accepted.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { MAX_REQUEST_BODY_BYTES, readRequestBody } from '../request-body.js';
import { KeyStore } from './key-store.js';
import { KmsError, type KmsScope, type RequestBody, runOperation } from './operations.js';
import { RequestQuota } from './request-quota.js';

export interface KmsServerOptions {
  /** keys are kept under `<dataDir>/kms/keys/` */
  dataDir: string;
  /** default: a free port */
  port?: number;
  /** default 127.0.0.1 */
  host?: string;
  /** the region in ARNs; default us-east-1 */
  region?: string;
  /** the account in ARNs; default 000000000000 */
  accountId?: string;
  /**
   * Sign requests per second, as the account's KMS quota for cryptographic operations; above it, ThrottlingException.
   * KMS's quotas of the other operations are far above what the local stack sends. Default: no limit.
   */
  requestsPerSecond?: number;
}

export interface RunningKmsServer {
  url: string;
  /** How many requests of an operation were answered successfully: lets tests prove a call did or did not happen. */
  callCount(operation: string): number;
  /** How many requests were refused with ThrottlingException (they are not in callCount). */
  throttledCount(): number;
  /** Stops listening and resolves once every request has been answered; calling it again is harmless. */
  close(): Promise<void>;
}

const TARGET_PREFIX = 'TrentService.';
const CLOSE_GRACE_MS = 2_000;
// Of the operations implemented here, Sign alone counts against the cryptographic-operations quota.
const QUOTA_OPERATIONS = new Set(['Sign']);
// What KMS answers, message included (its developer guide, "Throttling AWS KMS requests").
const THROTTLED = { __type: 'ThrottlingException', message: 'You have exceeded the rate at which you may call KMS. Reduce the frequency of your calls.' };

export async function startKmsServer(options: KmsServerOptions): Promise<RunningKmsServer> {
  const host = options.host ?? '127.0.0.1';
  const store = await KeyStore.open(join(options.dataDir, 'kms', 'keys'));
  const scope: KmsScope = { region: options.region ?? 'us-east-1', accountId: options.accountId ?? '000000000000' };
  const calls = new Map<string, number>();
  const quota = options.requestsPerSecond === undefined ? undefined : new RequestQuota(options.requestsPerSecond);
  let throttled = 0;
  const answering = new Set<Promise<void>>();

  async function answer(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const requestId = randomUUID();
    try {
      const body = await readBody(request); // read first, so that every answer leaves the connection reusable
      const operation = operationOf(request);
      if (quota && QUOTA_OPERATIONS.has(operation) && !quota.tryAccept()) {
        throttled += 1;
        send(response, 400, THROTTLED, requestId);
        return;
      }
      const result = await runOperation(store, scope, operation, parseBody(body));
      calls.set(operation, (calls.get(operation) ?? 0) + 1);
      send(response, 200, result, requestId);
    } catch (error) {
      if (error instanceof KmsError) {
        send(response, 400, { __type: error.code, message: error.message }, requestId);
      } else {
        console.error(`local KMS: request ${requestId} failed`, error); // the details go to the log, never to the client
        send(response, 500, { __type: 'KMSInternalException', message: `Internal error; see the local KMS log for request ${requestId}` }, requestId);
      }
    }
  }

  const server = createServer((request, response) => {
    const answered = answer(request, response).finally(() => answering.delete(answered));
    answering.add(answered);
  });
  await listen(server, options.port ?? 0, host);
  const { port } = server.address() as AddressInfo;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    callCount: (operation) => calls.get(operation) ?? 0,
    throttledCount: () => throttled,
    close() {
      closing ??= Promise.all([closeServer(server), ...answering]).then(() => undefined);
      return closing;
    },
  };
}

function operationOf(request: IncomingMessage): string {
  const target = request.headers['x-amz-target'];
  if (request.method !== 'POST' || (request.url ?? '/').split('?')[0] !== '/') {
    throw new KmsError('UnknownOperationException', 'KMS answers only POST / with an x-amz-target header');
  }
  if (typeof target !== 'string' || !target.startsWith(TARGET_PREFIX)) {
    throw new KmsError('UnknownOperationException', `Unknown or missing x-amz-target ${target ?? ''}: expected ${TARGET_PREFIX}<Operation>`);
  }
  return target.slice(TARGET_PREFIX.length);
}

async function readBody(request: IncomingMessage): Promise<string> {
  const body = await readRequestBody(request);
  if (body === undefined) throw new KmsError('SerializationException', `Request body larger than ${MAX_REQUEST_BODY_BYTES} bytes`);
  return body;
}

function parseBody(text: string): RequestBody {
  let body: unknown;
  try {
    body = text.trim() === '' ? {} : JSON.parse(text);
  } catch {
    throw new KmsError('SerializationException', 'Request body is not valid JSON');
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new KmsError('SerializationException', 'Request body must be a JSON object');
  }
  return body as RequestBody;
}

function send(response: ServerResponse, status: number, body: object, requestId: string): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/x-amz-json-1.1',
    'content-length': Buffer.byteLength(text),
    'x-amzn-requestid': requestId,
  });
  response.end(text);
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

/** SDK clients keep connections alive: idle ones are closed now, busy ones after a short grace period. */
function closeServer(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.close((error) => (error ? reject(error) : resolve()));
    server.closeIdleConnections();
    setTimeout(() => server.closeAllConnections(), CLOSE_GRACE_MS).unref();
  });
}
