// Reading the EMF metrics a request wrote, against the contract of shared/observability/metric-names.ts.
import { expect } from 'vitest';
import { DIMENSIONS, METRICS, METRICS_NAMESPACE, SERVICE_DIMENSION } from '../../../shared/observability/metric-names.js';
import type { EmfMetric } from './captured-output.js';

type MetricName = (typeof METRICS)[keyof typeof METRICS];

/** The dimension each metric carries beside `service`, as the contract's comments say (written out again here, as the spec). */
const CONTRACT_DIMENSION: Record<MetricName, string | undefined> = {
  Requests: DIMENSIONS.route,
  Latency: DIMENSIONS.route,
  ServerErrors: DIMENSIONS.route,
  ClientErrors: DIMENSIONS.route,
  VerificationResults: DIMENSIONS.reason,
  Settlements: DIMENSIONS.status,
  DependencyLatency: DIMENSIONS.dependency,
  DependencyErrors: DIMENSIONS.dependency,
  DependencyThrottles: DIMENSIONS.dependency,
  ConfigCacheHits: undefined,
  ConfigCacheMisses: undefined,
  StaleConfigServed: undefined,
};

const UNIT: Record<MetricName, string> = {
  Requests: 'Count',
  Latency: 'Milliseconds',
  ServerErrors: 'Count',
  ClientErrors: 'Count',
  VerificationResults: 'Count',
  Settlements: 'Count',
  DependencyLatency: 'Milliseconds',
  DependencyErrors: 'Count',
  DependencyThrottles: 'Count',
  ConfigCacheHits: 'Count',
  ConfigCacheMisses: 'Count',
  StaleConfigServed: 'Count',
};

/**
 * Every metric is one of the contract's, in its namespace, under exactly one dimension set:
 * `service` (the function id) plus the metric's own dimension, nothing else.
 */
export function expectContractMetrics(metrics: EmfMetric[], service: string): void {
  expect(metrics.length).toBeGreaterThan(0);
  for (const metric of metrics) {
    expect(Object.keys(CONTRACT_DIMENSION), `${metric.name} is a metric of the contract`).toContain(metric.name);
    const dimension = CONTRACT_DIMENSION[metric.name as MetricName];
    const expected = [SERVICE_DIMENSION, ...(dimension ? [dimension] : [])].sort();
    expect({ name: metric.name, namespace: metric.namespace, unit: metric.unit, dimensionSets: metric.dimensionSets, service: metric.dimensions.service }).toEqual({
      name: metric.name,
      namespace: METRICS_NAMESPACE,
      unit: UNIT[metric.name as MetricName],
      dimensionSets: [expected],
      service,
    });
  }
}

/** The values recorded for one metric under the given dimension values (service and its own). */
export function valuesOf(metrics: EmfMetric[], name: MetricName, dimensions: Record<string, string> = {}): number[] {
  return metrics
    .filter((metric) => metric.name === name && Object.entries(dimensions).every(([key, value]) => metric.dimensions[key] === value))
    .flatMap((metric) => metric.values);
}

export const sumOf = (metrics: EmfMetric[], name: MetricName, dimensions: Record<string, string> = {}) =>
  valuesOf(metrics, name, dimensions).reduce((sum, value) => sum + value, 0);
