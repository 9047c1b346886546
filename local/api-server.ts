import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2, Context } from 'aws-lambda';
import { CORS_POLICY, type FunctionId, type Route } from '../shared/routes.js';
import {
  bearerTokenOf,
  fromHttpApiResult,
  gatewayClaimsOf,
  type HttpReply,
  lambdaContext,
  toHttpApiEvent,
  withJwtAuthorizer,
} from './api-gateway-event.js';
import { type Listening, listen } from './listen.js';

export type LambdaHandler = (event: APIGatewayProxyEventV2, context: Context) => Promise<APIGatewayProxyResultV2>;

export interface ApiServerOptions {
  routes: readonly Route[];
  handlers: Record<FunctionId, LambdaHandler>;
  port?: number;
  host?: string;
  /** Headers added to every request before it reaches a handler, as CloudFront adds its origin headers. */
  originHeaders?: Record<string, string>;
  /**
   * Plays a JWT authorizer on the `authenticated` routes: given the bearer token, the claims of a
   * token it accepts, or undefined. Without it those routes are open, as with no authorizer.
   */
  authorizeJwt?: (token: string) => Promise<Record<string, unknown> | undefined>;
  /** Serves what no route matches (the demo page); returns false to fall through to 404. */
  fallback?: (request: IncomingMessage, response: ServerResponse) => Promise<boolean>;
  functionTimeoutMs?: number;
  log?: (line: string) => void;
  /** Sees every answer on a route, the gateway's own included, before it is sent (tests check each against openapi.json). */
  onAnswer?: (route: Route, reply: HttpReply) => void;
}

export type RunningApiServer = Listening;

// API Gateway HTTP APIs accept payloads up to 10 MB; the handlers enforce their own, smaller limits.
const MAX_PAYLOAD_BYTES = 10 * 1024 * 1024;

/** An HTTP server that plays API Gateway (HTTP API, payload 2.0) in front of the very handlers CDK deploys. */
export async function startApiServer(options: ApiServerOptions): Promise<RunningApiServer> {
  const routesByKey = new Map(options.routes.map((route) => [`${route.method} ${route.path}`, route]));
  const log = options.log ?? (() => undefined);

  async function serve(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const started = performance.now();
    const method = request.method ?? 'GET';
    const path = new URL(request.url ?? '/', 'http://local').pathname;
    const route = routesByKey.get(`${method} ${path}`);
    const reply = await dispatch(request, response, method, route);
    if (reply && route) options.onAnswer?.(route, reply);
    if (reply) send(request, response, reply);
    log(`${method} ${path} ${response.statusCode} ${Math.round(performance.now() - started)}ms`);
  }

  async function dispatch(request: IncomingMessage, response: ServerResponse, method: string, route: Route | undefined) {
    if (method === 'OPTIONS' && request.headers.origin) return preflight();
    if (!route) {
      if (options.fallback && (await options.fallback(request, response))) return undefined;
      return gatewayReply(404, 'Not Found');
    }
    const body = await readBody(request);
    if (!body) return gatewayReply(413, 'Request Entity Too Large');
    let event = toHttpApiEvent(request, body, `${route.method} ${route.path}`);
    if (route.access === 'authenticated' && options.authorizeJwt) {
      const claims = await authorize(event.headers);
      // API Gateway's own answer; the function is never invoked.
      if (!claims) return gatewayReply(401, 'Unauthorized');
      event = withJwtAuthorizer(event, claims);
    }
    // Like CloudFront's custom origin headers, these replace whatever the client sent.
    Object.assign(event.headers, options.originHeaders);
    return invoke(route.functionId, event);
  }

  async function authorize(headers: Record<string, string | undefined>): Promise<Record<string, string> | undefined> {
    const token = bearerTokenOf(headers);
    const payload = token === undefined ? undefined : await options.authorizeJwt!(token);
    return payload && gatewayClaimsOf(payload);
  }

  async function invoke(functionId: FunctionId, event: APIGatewayProxyEventV2): Promise<HttpReply> {
    const timeoutMs = options.functionTimeoutMs ?? 10_000;
    let timer: NodeJS.Timeout | undefined;
    try {
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${functionId} timed out after ${timeoutMs} ms`)), timeoutMs);
      });
      const result = await Promise.race([options.handlers[functionId](event, lambdaContext(functionId, timeoutMs)), timeout]);
      return fromHttpApiResult(result);
    } catch (error) {
      // What API Gateway answers when the function throws or times out.
      log(`${functionId} failed: ${(error as Error).message}`);
      return gatewayReply(500, 'Internal Server Error');
    } finally {
      clearTimeout(timer);
    }
  }

  const server = createServer((request, response) => {
    serve(request, response).catch((error: unknown) => {
      log(`local API server error: ${(error as Error).message}`);
      if (!response.headersSent) send(request, response, gatewayReply(500, 'Internal Server Error'));
    });
  });
  return listen(server, options.port, options.host);
}

function readBody(request: IncomingMessage): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_PAYLOAD_BYTES) chunks.push(chunk);
    });
    request.on('end', () => resolve(size > MAX_PAYLOAD_BYTES ? undefined : Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

function gatewayReply(statusCode: number, message: string): HttpReply {
  return { statusCode, headers: { 'content-type': 'application/json' }, cookies: [], body: Buffer.from(JSON.stringify({ message })) };
}

function preflight(): HttpReply {
  return {
    statusCode: 204,
    headers: {
      'access-control-allow-methods': CORS_POLICY.allowMethods.join(','),
      'access-control-allow-headers': CORS_POLICY.allowHeaders.join(','),
      'access-control-max-age': String(CORS_POLICY.maxAgeSeconds),
    },
    cookies: [],
    body: Buffer.alloc(0),
  };
}

function send(request: IncomingMessage, response: ServerResponse, reply: HttpReply): void {
  const headers: Record<string, string | string[]> = { ...reply.headers };
  if (request.headers.origin) {
    headers['access-control-allow-origin'] = CORS_POLICY.allowOrigins.join(',');
    headers['access-control-expose-headers'] = CORS_POLICY.exposeHeaders.join(',');
  }
  if (reply.cookies.length) headers['set-cookie'] = reply.cookies;
  headers['content-length'] = String(reply.body.length);
  response.writeHead(reply.statusCode, headers);
  response.end(reply.body);
}
