import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type {
  APIGatewayEventRequestContextJWTAuthorizer,
  APIGatewayProxyEventV2,
  APIGatewayProxyEventV2WithJWTAuthorizer,
  APIGatewayProxyResultV2,
  Context,
} from 'aws-lambda';

const TEXT_MEDIA_TYPE = /^(?:text\/|application\/(?:[\w.+-]+\+)?(?:json|xml|x-www-form-urlencoded|javascript))/i;

/**
 * Turns a Node HTTP request into the event API Gateway HTTP APIs send with payload format 2.0:
 * lower-case headers, repeated headers and query parameters joined with commas, cookies apart,
 * text bodies as they are and binary bodies base64-encoded.
 */
export function toHttpApiEvent(request: IncomingMessage, body: Buffer, routeKey: string): APIGatewayProxyEventV2 {
  const url = new URL(request.url ?? '/', 'http://local');
  const headers: Record<string, string> = {};
  for (let i = 0; i < request.rawHeaders.length; i += 2) {
    const name = request.rawHeaders[i]!.toLowerCase();
    const value = request.rawHeaders[i + 1]!;
    if (name === 'cookie') continue;
    headers[name] = headers[name] === undefined ? value : `${headers[name]},${value}`;
  }
  const query: Record<string, string> = {};
  for (const [name, value] of url.searchParams) query[name] = query[name] === undefined ? value : `${query[name]},${value}`;
  const cookies = request.headers.cookie?.split(';').map((cookie) => cookie.trim()).filter(Boolean);
  const isText = body.length === 0 || TEXT_MEDIA_TYPE.test(headers['content-type'] ?? '');
  const now = new Date();
  const method = request.method ?? 'GET';
  return {
    version: '2.0',
    routeKey,
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    ...(cookies?.length ? { cookies } : {}),
    headers,
    ...(Object.keys(query).length ? { queryStringParameters: query } : {}),
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName: headers.host ?? 'localhost',
      domainPrefix: (headers.host ?? 'localhost').split('.')[0]!,
      http: {
        method,
        path: url.pathname,
        protocol: `HTTP/${request.httpVersion}`,
        sourceIp: request.socket.remoteAddress ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: randomUUID(),
      routeKey,
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
    },
    ...(body.length ? { body: isText ? body.toString('utf8') : body.toString('base64') } : {}),
    isBase64Encoded: !isText,
  };
}

/**
 * The token a JWT authorizer reads from its identity source `$request.header.Authorization`:
 * the header's value, with or without the `Bearer ` prefix, as API Gateway accepts both.
 */
export function bearerTokenOf(headers: Record<string, string | undefined>): string | undefined {
  const value = headers.authorization?.trim();
  const token = value?.replace(/^bearer\s+/i, '');
  return token || undefined;
}

/**
 * The claims as API Gateway hands them to the integration: every value a string. Numbers and
 * booleans are written out (`"exp": "1767225600"`); arrays as API Gateway writes them, in
 * brackets and separated by spaces (`"[a b]"`). Objects are JSON here; API Gateway writes them
 * in a notation of its own (not JSON), so no handler should parse object claims either way.
 */
export function gatewayClaimsOf(payload: Record<string, unknown>): Record<string, string> {
  const claims: Record<string, string> = {};
  for (const [name, value] of Object.entries(payload)) claims[name] = claimString(value);
  return claims;
}

function claimString(value: unknown): string {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return `[${value.map(claimString).join(' ')}]`;
  if (value !== null && typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** The event an integration behind a JWT authorizer receives: the request's, plus who the token says called. */
export function withJwtAuthorizer(event: APIGatewayProxyEventV2, claims: Record<string, string>): APIGatewayProxyEventV2WithJWTAuthorizer {
  // Routes without authorization scopes get `scopes: null` from API Gateway.
  const authorizer: APIGatewayEventRequestContextJWTAuthorizer = { jwt: { claims, scopes: null } };
  return { ...event, requestContext: { ...event.requestContext, authorizer } };
}

export interface HttpReply {
  statusCode: number;
  headers: Record<string, string>;
  cookies: string[];
  body: Buffer;
}

/** Interprets a payload 2.0 result as API Gateway does, including its inference for bare values. */
export function fromHttpApiResult(result: APIGatewayProxyResultV2): HttpReply {
  if (typeof result !== 'object' || result === null || !('statusCode' in result)) {
    const body = typeof result === 'string' ? result : JSON.stringify(result);
    return { statusCode: 200, headers: { 'content-type': 'application/json' }, cookies: [], body: Buffer.from(body ?? '') };
  }
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(result.headers ?? {})) headers[name.toLowerCase()] = String(value);
  const raw = result.body ?? '';
  return {
    statusCode: result.statusCode ?? 200,
    headers,
    cookies: result.cookies ?? [],
    body: result.isBase64Encoded ? Buffer.from(raw, 'base64') : Buffer.from(raw, 'utf8'),
  };
}

/** What the Lambda runtime hands a handler; the deadline bounds Powertools' in-progress locks. */
export function lambdaContext(functionId: string, timeoutMs: number): Context {
  const deadline = Date.now() + timeoutMs;
  const functionName = `local-${functionId}`;
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:000000000000:function:${functionName}`,
    memoryLimitInMB: '512',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

let syntheticRequests = 0;

/**
 * A synthetic API Gateway HTTP API (payload 2.0) event, as AWS and the local stack send it, for
 * tests and benches. Cheap to build (fixed time, counter request id), so benches measure the
 * handler, not this.
 */
export function syntheticHttpApiEvent(
  routeKey: string,
  request: { body?: string; headers?: Record<string, string>; query?: Record<string, string> } = {},
): APIGatewayProxyEventV2 {
  const [method = 'GET', path = '/'] = routeKey.split(' ');
  const query = request.query ?? {};
  return {
    version: '2.0',
    routeKey,
    rawPath: path,
    rawQueryString: new URLSearchParams(query).toString(),
    headers: { host: 'api.example.test', ...request.headers },
    ...(Object.keys(query).length ? { queryStringParameters: query } : {}),
    requestContext: {
      accountId: '000000000000',
      apiId: 'synthetic',
      domainName: 'api.example.test',
      domainPrefix: 'api',
      http: { method, path, protocol: 'HTTP/1.1', sourceIp: '192.0.2.1', userAgent: 'synthetic' },
      requestId: `request-${++syntheticRequests}`,
      routeKey,
      stage: '$default',
      time: '30/Nov/2026:12:00:00 +0000',
      timeEpoch: 1_796_040_000_000,
    },
    ...(request.body === undefined ? {} : { body: request.body }),
    isBase64Encoded: false,
  };
}
