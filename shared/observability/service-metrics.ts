import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { DIMENSIONS, METRICS } from './metric-names.js';

export type MetricName = (typeof METRICS)[keyof typeof METRICS];
type DimensionName = (typeof DIMENSIONS)[keyof typeof DIMENSIONS];

/** EMF metadata of a line; never named like a metric, which Powertools would refuse to write. */
export type LineFields = Readonly<Record<string, string | number | boolean | undefined>> & { readonly [Name in MetricName]?: never };

// EMF metadata may be any JSON value, and Powertools writes what it is given; its signature says
// string. Numbers stay numbers in the log event, so that Logs Insights can compare them.
const addMetadata = Metrics.prototype.addMetadata as (this: Metrics, key: string, value: string | number | boolean) => Metrics;

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
  /** By dimension (`''`: `service` alone), then by the dimension's value. */
  readonly #bySet = new Map<DimensionName | '', Map<string, Metrics>>();
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

  /**
   * Adds `fields` to the line that carries `name` under `dimensionValue`, beside its metrics: EMF
   * metadata, which CloudWatch keeps in the log event (searchable with Logs Insights) and turns
   * into no metric. A field named like one of the line's dimensions loses to it.
   */
  describe(name: DimensionedMetric, dimensionValue: string, fields: LineFields): void {
    const metrics = this.#metricsOf(name, dimensionValue);
    for (const key in fields) {
      const value = fields[key];
      if (value !== undefined) addMetadata.call(metrics, key, value);
    }
  }

  /** Writes what was recorded since the last call (once per request) and forgets it. */
  publish(): void {
    for (const metrics of this.#touched) metrics.publishStoredMetrics();
    this.#touched.clear();
  }

  #metricsOf(name: MetricName, dimensionValue: string | undefined): Metrics {
    const dimension = DIMENSION_OF[name] ?? '';
    // Two lookups rather than one by a `dimension=value` key: no string built per call.
    let byValue = this.#bySet.get(dimension);
    if (byValue === undefined) this.#bySet.set(dimension, (byValue = new Map()));
    const value = dimensionValue ?? '';
    let metrics = byValue.get(value);
    if (metrics === undefined) byValue.set(value, (metrics = this.#create(dimension, value)));
    this.#touched.add(metrics);
    return metrics;
  }

  #create(dimension: DimensionName | '', value: string): Metrics {
    return new Metrics({
      namespace: this.options.namespace,
      serviceName: this.options.service,
      // Never an empty value: Powertools would drop the dimension, and the metric land in a set no alarm names.
      ...(dimension === '' ? {} : { defaultDimensions: { [dimension]: value || 'none' } }),
    });
  }
}
