import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';

// Free of vitest, so the bench can build the same events.

/** What API Gateway (HTTP API, payload 2.0) sends for GET /v1/config. */
export function configEvent(request: { query?: Record<string, string>; headers?: Record<string, string> }): APIGatewayProxyEventV2 {
  const rawQueryString = new URLSearchParams(request.query ?? {}).toString();
  return {
    version: '2.0',
    routeKey: 'GET /v1/config',
    rawPath: '/v1/config',
    rawQueryString,
    headers: { host: 'api.example.com', ...request.headers },
    ...(request.query && Object.keys(request.query).length ? { queryStringParameters: request.query } : {}),
    requestContext: {
      accountId: '123456789012',
      apiId: 'api',
      domainName: 'api.example.com',
      domainPrefix: 'api',
      http: { method: 'GET', path: '/v1/config', protocol: 'HTTP/1.1', sourceIp: '192.0.2.1', userAgent: 'vitest' },
      requestId: 'request-id',
      routeKey: 'GET /v1/config',
      stage: '$default',
      time: new Date().toUTCString(),
      timeEpoch: Date.now(),
    },
    isBase64Encoded: false,
  };
}

export function lambdaContext(): Context {
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: 'config',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:config',
    memoryLimitInMB: '256',
    awsRequestId: 'request-id',
    logGroupName: '/aws/lambda/config',
    logStreamName: 'test',
    getRemainingTimeInMillis: () => 10_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
