import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';

let requests = 0;

/**
 * An API Gateway HTTP API (payload 2.0) event, as AWS sends it. Cheap to build (fixed time,
 * counter request id), so benches measure the handler, not this.
 */
export function httpApiEvent(
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
      apiId: 'bench',
      domainName: 'api.example.test',
      domainPrefix: 'api',
      http: { method, path, protocol: 'HTTP/1.1', sourceIp: '192.0.2.1', userAgent: 'bench' },
      requestId: `bench-${++requests}`,
      routeKey,
      stage: '$default',
      time: '30/Nov/2026:12:00:00 +0000',
      timeEpoch: 1_796_040_000_000,
    },
    ...(request.body === undefined ? {} : { body: request.body }),
    isBase64Encoded: false,
  };
}

/** A Lambda context that never runs out of time: a long bench must not reach a request deadline. */
export function benchContext(functionId: string): Context {
  return { awsRequestId: `bench-${functionId}`, functionName: `bench-${functionId}`, getRemainingTimeInMillis: () => 30_000 } as Context;
}

/** How a handler built by its factory is called here: an event in, a structured result out. */
export type BenchHandler = (event: APIGatewayProxyEventV2, context: Context) => Promise<{ statusCode?: number; body?: string }>;
