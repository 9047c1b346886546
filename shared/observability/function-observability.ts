import { Logger } from '@aws-lambda-powertools/logger';
import type { FunctionId } from '../routes.js';
import type { ObservabilityEnv } from './observability-env.js';
import { RequestKeys } from './request-keys.js';
import { ServiceMetrics } from './service-metrics.js';

/** What a function reports through: its logs and its metrics, both under its own service name. */
export interface FunctionObservability {
  /** Carries the Lambda context and the correlation id of the request in flight (request-telemetry.ts). */
  logger: Logger;
  metrics: ServiceMetrics;
  /** The ids a handler knows about its request: for its log lines and its answer record. */
  keys: RequestKeys;
}

/**
 * Made once per container, when the handler is created, which is when Powertools reads its
 * variables (POWERTOOLS_LOG_LEVEL, POWERTOOLS_METRICS_DISABLED). The service is the function id,
 * as infra sets POWERTOOLS_SERVICE_NAME: given here rather than read from that variable, because
 * the local stack runs all functions in one process and one environment, and should write what
 * AWS would. Never log bodies, tokens, signatures, card tokens or secrets: log ids.
 */
export function functionObservability(service: FunctionId, env: ObservabilityEnv): FunctionObservability {
  const logger = new Logger({ serviceName: service });
  return {
    logger,
    metrics: new ServiceMetrics({ namespace: env.POWERTOOLS_METRICS_NAMESPACE, service }),
    keys: new RequestKeys(logger),
  };
}
