import type { MiddlewareObj, Request } from '@middy/core';
import type { HttpContext, HttpEvent, HttpResult } from '../http/types.js';
import type { FunctionObservability } from './function-observability.js';
import { METRICS, REQUEST_ID_HEADER } from './metric-names.js';

interface InFlight extends Record<string, unknown> {
  telemetry?: { startedAt: number; requestId: string };
}

type TelemetryRequest = Request<HttpEvent, HttpResult, Error, HttpContext, InFlight>;

/** The `message` of every answer record: what to search for in CloudWatch Logs Insights. */
export const ANSWER_MESSAGE = 'request answered';

/**
 * Per request: the Lambda context, the correlation id (API Gateway's request id) and the route on
 * every log line; the request's metrics published when it is answered (the route's and whatever
 * else it recorded, one EMF line per dimension set); its answer record; and the correlation id in
 * the `x-request-id` header of every answer, problems included. Outermost, so `after`/`onError`
 * see the final status and every line of the request has its keys. All of it synchronous: no
 * promise per request.
 *
 * The answer record is the route's EMF line itself, beside its `Latency`: its metadata holds the
 * correlation id and route, the Lambda request id and function name, the status and the keys the
 * handler appended (RequestKeys). One event per request rather than a log line beside the
 * metrics: Powertools Logger's INFO line cost about 30 µs a request, the metadata about a third
 * of that (interleaved in one process; README, Benchmarks). Log lines (warnings, failures) still
 * carry the whole Lambda context and every key.
 *
 * It does what Powertools' `injectLambdaContext` middleware would (the context, the debug
 * sampling, the keys reset at the end), and nothing more: never the event, which carries bearer
 * tokens, whatever POWERTOOLS_LOGGER_LOG_EVENT says; nor the copy of middy's `request.internal`
 * that Powertools' middleware makes per request for cleanups only its other middlewares use.
 */
export function requestTelemetry({ logger, metrics, keys }: FunctionObservability): MiddlewareObj<HttpEvent, HttpResult, Error, HttpContext, InFlight> {
  function answered(request: TelemetryRequest): void {
    const { telemetry } = request.internal;
    if (telemetry === undefined) return;
    // Once: an `after` that throws brings the request to `onError` too.
    request.internal.telemetry = undefined;
    // Ended whatever happens next: the next request in this container starts without its keys.
    const appended = keys.end();
    const { response } = request;
    if (!response) return;
    const latencyMs = performance.now() - telemetry.startedAt;
    const status = response.statusCode ?? 200;
    const route = request.event.routeKey;
    metrics.count(METRICS.requests, route);
    metrics.milliseconds(METRICS.latency, latencyMs, route);
    // Errors only when there is one (a rate is Sum of errors over Sum of Requests): two zeros more
    // per request cost Powertools about 10 µs of serializing.
    if (status >= 500) metrics.count(METRICS.serverErrors, route);
    else if (status >= 400) metrics.count(METRICS.clientErrors, route);
    const { context } = request;
    metrics.describe(METRICS.requests, route, {
      message: ANSWER_MESSAGE,
      ...appended,
      function_name: context.functionName,
      function_request_id: context.awsRequestId,
      status,
    });
    metrics.publish();
    (response.headers ??= {})[REQUEST_ID_HEADER] = telemetry.requestId;
  }

  return {
    before: function startRequestTelemetry(request) {
      const { event, context } = request;
      logger.refreshSampleRateCalculation();
      logger.addContext(context);
      // A direct invocation (no API Gateway) still has Lambda's own request id.
      const requestId = event.requestContext?.requestId ?? context.awsRequestId;
      request.internal.telemetry = { startedAt: performance.now(), requestId };
      // Whatever a request that never reached its answer left behind is not this one's.
      keys.end();
      // `correlation_id` is the key Powertools' setCorrelationId writes.
      keys.append({ correlation_id: requestId, route: event.routeKey });
    },
    after: answered,
    onError: answered,
  };
}
