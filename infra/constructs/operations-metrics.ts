import { Duration } from 'aws-cdk-lib';
import { Metric, Stats } from 'aws-cdk-lib/aws-cloudwatch';
import type { PaymentStatus } from '../../shared/domain/settlement/payment-response.js';
import type { VerificationReason } from '../../shared/domain/verification/reasons.js';
import { type Dependency, DIMENSIONS, METRICS, METRICS_NAMESPACE, SERVICE_DIMENSION } from '../../shared/observability/metric-names.js';
import { routeKeyOf, type FunctionId, type Route } from '../../shared/routes.js';

/**
 * The custom metrics of shared/observability/metric-names.ts as CloudWatch sees them: a metric is
 * its namespace, name and whole set of dimensions, so each helper here gives exactly the set the
 * functions emit with that name, or an alarm would watch a metric nobody publishes.
 */

/** Every alarm and graph aggregates over five minutes (see the README's alarms table). */
export const PERIOD = Duration.minutes(5);

/** Which function calls which service (infra/constructs/bindings.ts grants the calls). jwks reads the delegation registry. */
export const DEPENDENCIES_OF: Readonly<Record<FunctionId, readonly Dependency[]>> = {
  settlement: ['KMS', 'DynamoDB'],
  verification: ['KMS', 'DynamoDB'],
  jwks: ['KMS', 'DynamoDB'],
  config: ['KMS', 'DynamoDB'],
};

type RouteMetric = 'requests' | 'latency' | 'serverErrors' | 'clientErrors';
type DependencyMetric = 'dependencyLatency' | 'dependencyErrors' | 'dependencyThrottles';
type ConfigCacheMetric = 'configCacheHits' | 'configCacheMisses' | 'staleConfigServed';

function contractMetric(metricName: string, service: FunctionId, dimensions: Record<string, string>, statistic: string, label: string): Metric {
  return new Metric({
    namespace: METRICS_NAMESPACE,
    metricName,
    dimensionsMap: { [SERVICE_DIMENSION]: service, ...dimensions },
    statistic,
    period: PERIOD,
    label,
  });
}

/** Requests, Latency, ServerErrors or ClientErrors of one route: dimensions service and Route. */
export function routeMetric(route: Route, metric: RouteMetric, statistic: string = Stats.SUM): Metric {
  const routeKey = routeKeyOf(route);
  return contractMetric(METRICS[metric], route.functionId, { [DIMENSIONS.route]: routeKey }, statistic, routeKey);
}

/** Verification results with one reason: dimensions service (verification) and Reason. */
export function verificationResultMetric(reason: VerificationReason): Metric {
  return contractMetric(METRICS.verificationResults, 'verification', { [DIMENSIONS.reason]: reason }, Stats.SUM, reason);
}

/** Settlements answered with one status: dimensions service (settlement) and Status. */
export function settlementMetric(status: PaymentStatus): Metric {
  return contractMetric(METRICS.settlements, 'settlement', { [DIMENSIONS.status]: status }, Stats.SUM, status);
}

/** A function's calls to one AWS service: dimensions service and Dependency. */
export function dependencyMetric(service: FunctionId, dependency: Dependency, metric: DependencyMetric, statistic: string = Stats.SUM): Metric {
  return contractMetric(METRICS[metric], service, { [DIMENSIONS.dependency]: dependency }, statistic, `${service} ${dependency}`);
}

/** The config function's cache: dimension service (config) only. */
export function configCacheMetric(metric: ConfigCacheMetric): Metric {
  return contractMetric(METRICS[metric], 'config', {}, Stats.SUM, METRICS[metric]);
}
