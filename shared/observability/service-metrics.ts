import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { DIMENSIONS, METRICS } from './metric-names.js';

export type MetricName = (typeof METRICS)[keyof typeof METRICS];
type DimensionName = (typeof DIMENSIONS)[keyof typeof DIMENSIONS];

/**
 * The one dimension each metric carries beside `service`, as metric-names.ts documents it
 * (undefined: `service` alone). Callers give the value only, so no metric can be emitted under
 * a dimension set an alarm does not name.
 */
const DIMENSION_OF = {
  [METRICS.requests]: DIMENSIONS.route,
  [METRICS.latency]: DIMENSIONS.route,
  [METRICS.serverErrors]: DIMENSIONS.route,
  [METRICS.clientErrors]: DIMENSIONS.route,
  [METRICS.verificationResults]: DIMENSIONS.reason,
  [METRICS.settlements]: DIMENSIONS.status,
  [METRICS.dependencyLatency]: DIMENSIONS.dependency,
  [METRICS.dependencyErrors]: DIMENSIONS.dependency,
  [METRICS.dependencyThrottles]: DIMENSIONS.dependency,
  [METRICS.configCacheHits]: undefined,
  [METRICS.configCacheMisses]: undefined,
  [METRICS.staleConfigServed]: undefined,
} as const satisfies Record<MetricName, DimensionName | undefined>;

type MetricWith<Dimension> = { [Name in MetricName]: (typeof DIMENSION_OF)[Name] extends Dimension ? Name : never }[MetricName];
/** Metrics that carry a dimension beside `service`, whose value the caller gives. */
type DimensionedMetric = MetricWith<DimensionName>;
/** Metrics that carry `service` alone. */
type ServiceOnlyMetric = MetricWith<undefined>;

/**
 * A function's metrics, written as CloudWatch embedded metric format (EMF) lines by Powertools
 * Metrics. An EMF line publishes each of its metrics under each of its dimension sets, so metrics
 * with different dimensions cannot share a line: this keeps one Powertools Metrics per dimension
 * set (a route, a reason, a dependency...: a handful per function) and `publish()` writes one
 * line for each that holds something, with a metric's values of the request in one array.
 */
export class ServiceMetrics {
  readonly #bySet = new Map<string, Metrics>();
  /** Those written to since the last publish: Powertools reads the environment to tell, each time. */
  readonly #touched = new Set<Metrics>();

  constructor(private readonly options: { namespace: string; service: string }) {}

  /** One occurrence. */
  count(name: DimensionedMetric, dimensionValue: string): void;
  count(name: ServiceOnlyMetric): void;
  count(name: MetricName, dimensionValue?: string): void {
    this.#metricsOf(name, dimensionValue).addMetric(name, MetricUnit.Count, 1);
  }

  milliseconds(name: DimensionedMetric, value: number, dimensionValue: string): void {
    this.#metricsOf(name, dimensionValue).addMetric(name, MetricUnit.Milliseconds, value);
  }

  /** Writes what was recorded since the last call (once per request) and forgets it. */
  publish(): void {
    for (const metrics of this.#touched) metrics.publishStoredMetrics();
    this.#touched.clear();
  }

  #metricsOf(name: MetricName, dimensionValue: string | undefined): Metrics {
    const dimension = DIMENSION_OF[name];
    const key = dimension === undefined ? '' : `${dimension}=${dimensionValue}`;
    let metrics = this.#bySet.get(key);
    if (metrics === undefined) {
      metrics = this.#create(dimension, dimensionValue);
      this.#bySet.set(key, metrics);
    }
    this.#touched.add(metrics);
    return metrics;
  }

  #create(dimension: DimensionName | undefined, value: string | undefined): Metrics {
    return new Metrics({
      namespace: this.options.namespace,
      serviceName: this.options.service,
      // Never an empty value: Powertools would drop the dimension, and the metric land in a set no alarm names.
      ...(dimension === undefined ? {} : { defaultDimensions: { [dimension]: value || 'none' } }),
    });
  }
}
