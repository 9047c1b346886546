import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { httpApiEvent } from '../../support/http-api-event.js';

// Free of vitest, so the bench can build the same events.
export { lambdaContext } from '../../support/http-api-event.js';

/** What API Gateway (HTTP API, payload 2.0) sends for GET /v1/config. */
export function configEvent(request: { query?: Record<string, string>; headers?: Record<string, string> }): APIGatewayProxyEventV2 {
  return httpApiEvent('GET /v1/config', request);
}
