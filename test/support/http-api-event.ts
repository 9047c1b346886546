import type { APIGatewayProxyEventV2 } from 'aws-lambda';

// Free of vitest, so that benches build the very events tests use. The Lambda context comes
// from the local stack, which hands the same one to handlers.
export { lambdaContext } from '../../local/api-gateway-event.js';

let requests = 0;

/**
 * A synthetic API Gateway HTTP API (payload 2.0) event, as AWS and the local stack send it.
 * Cheap to build (fixed time, counter request id), so benches measure the handler, not this.
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
      apiId: 'test',
      domainName: 'api.example.test',
      domainPrefix: 'api',
      http: { method, path, protocol: 'HTTP/1.1', sourceIp: '192.0.2.1', userAgent: 'test' },
      requestId: `request-${++requests}`,
      routeKey,
      stage: '$default',
      time: '30/Nov/2026:12:00:00 +0000',
      timeEpoch: 1_796_040_000_000,
    },
    ...(request.body === undefined ? {} : { body: request.body }),
    isBase64Encoded: false,
  };
}
