// A local HTTP endpoint that speaks AWS KMS's JSON 1.1 protocol, for the local stack and tests.
// The AWS SDK reaches it only through AWS_ENDPOINT_URL_KMS: application code has no "local" branch.
//   request:  POST /, x-amz-target: TrentService.<Action>, a JSON body; binary members base64
//   answer:   200 with a JSON body, or 400 with {"__type": "<KMS error code>", "message": "..."}
// SigV4 signatures are not checked: any credentials are accepted.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { KmsError } from './errors.js';
import type { KmsContext } from './kms-context.js';
import { KeyStore } from './key-store.js';
import { runOperation } from './operations.js';
import type { RequestBody } from './request-fields.js';

export interface KmsServerOptions {
  /** keys and aliases are kept under `<dataDir>/kms/` */
  dataDir: string;
  /** the region in ARNs; default us-east-1 */
  region?: string;
  /** the account in ARNs; default 000000000000 */
  accountId?: string;
}

export interface RunningKmsServer {
  url: string;
  /** How many requests of an operation were answered successfully: lets tests prove a call did or did not happen. */
  callCount(operation: string): number;
  /** Stops listening and resolves once every change is on disk; calling it again is harmless. */
  close(): Promise<void>;
}

const TARGET_PREFIX = 'TrentService.';
const CONTENT_TYPE = 'application/x-amz-json-1.1';
// KMS's largest request members are a few kilobytes; anything near this limit is a mistake.
const MAX_BODY_BYTES = 1024 * 1024;
const CLOSE_GRACE_MS = 2_000;

export async function startKmsServer(
  options: KmsServerOptions & { port?: number; host?: string },
): Promise<RunningKmsServer> {
  const host = options.host ?? '127.0.0.1';
  const store = await KeyStore.open(join(options.dataDir, 'kms'));
  const context: KmsContext = {
    store,
    scope: { region: options.region ?? 'us-east-1', accountId: options.accountId ?? '000000000000' },
    now: () => new Date(),
  };
  const calls = new Map<string, number>();
  const server = createServer((request, response) => void answer(context, request, response, calls));
  await listen(server, options.port ?? 0, host);
  const { port } = server.address() as AddressInfo;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    callCount: (operation) => calls.get(operation) ?? 0,
    close() {
      closing ??= closeServer(server).then(() => store.flush());
      return closing;
    },
  };
}

async function answer(
  context: KmsContext,
  request: IncomingMessage,
  response: ServerResponse,
  calls: Map<string, number>,
): Promise<void> {
  const requestId = randomUUID();
  try {
    const result = await handle(context, request);
    const operation = String(request.headers['x-amz-target']).slice(TARGET_PREFIX.length);
    calls.set(operation, (calls.get(operation) ?? 0) + 1);
    send(response, 200, result, requestId);
  } catch (error) {
    if (error instanceof KmsError) {
      send(response, 400, { __type: error.code, message: error.message }, requestId);
    } else {
      // The details go to the log, never to the client.
      console.error(`local KMS: request ${requestId} failed`, error);
      send(response, 500, { __type: 'KMSInternalException', message: `Internal error; see the local KMS log for request ${requestId}` }, requestId);
    }
  }
}

async function handle(context: KmsContext, request: IncomingMessage): Promise<object> {
  const body = await readBody(request); // read first, so that every answer leaves the connection reusable
  if (request.method !== 'POST' || (request.url ?? '/').split('?')[0] !== '/') {
    throw new KmsError('UnknownOperationException', 'KMS answers only POST / with an x-amz-target header');
  }
  const target = request.headers['x-amz-target'];
  if (typeof target !== 'string' || target === '') {
    throw new KmsError('UnknownOperationException', `Missing x-amz-target header: expected ${TARGET_PREFIX}<Operation>`);
  }
  if (!target.startsWith(TARGET_PREFIX)) {
    throw new KmsError('UnknownOperationException', `Unknown target ${target}: expected ${TARGET_PREFIX}<Operation>`);
  }
  return runOperation(context, target.slice(TARGET_PREFIX.length), parseBody(body));
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    length += chunk.length;
    if (length <= MAX_BODY_BYTES) chunks.push(chunk); // past the limit, keep draining but stop keeping
  }
  if (length > MAX_BODY_BYTES) throw new KmsError('SerializationException', `Request body larger than ${MAX_BODY_BYTES} bytes`);
  return Buffer.concat(chunks).toString('utf8');
}

function parseBody(text: string): RequestBody {
  if (text.trim() === '') return {};
  let body: unknown;
  try {
    body = JSON.parse(text);
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
    'content-type': CONTENT_TYPE,
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
