import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { KMSClient } from '@aws-sdk/client-kms';
import { METRICS } from '../../observability/metric-names.js';
import type { ServiceMetrics } from '../../observability/service-metrics.js';

/** The `Dependency` dimension's values. */
export type Dependency = 'KMS' | 'DynamoDB';

/** Error names AWS gives a call refused for throttling (as metric-names.ts lists them). */
const THROTTLING_NAMES = new Set(['ThrottlingException', 'ProvisionedThroughputExceededException', 'RequestLimitExceeded']);

/**
 * Refusals that are answers, not failures: a conditional write whose condition does not hold is
 * how the ledger learns a payment exists (every idempotent replay makes one). Counted as errors,
 * they would raise the dependency alarms on ordinary traffic.
 */
const ANSWERS = new Set(['ConditionalCheckFailedException']);

function isFailure(error: unknown): boolean {
  return !ANSWERS.has((error as { name?: string } | undefined)?.name ?? '');
}

function isThrottling(error: unknown): boolean {
  const { name, $retryable } = (error ?? {}) as { name?: string; $retryable?: { throttling?: boolean } };
  return (name !== undefined && THROTTLING_NAMES.has(name)) || $retryable?.throttling === true;
}

type InitializeHandler = (args: object) => Promise<object>;

/**
 * Measures every call the client makes, once, in the SDK's middleware stack rather than in each
 * adapter: latency, and whether it failed or was throttled, as the function's metrics. In the
 * `initialize` step, so one call is one measure, however many attempts its retries took.
 */
export function measureAwsCalls<Client extends KMSClient | DynamoDBClient>(client: Client, dependency: Dependency, metrics: ServiceMetrics): Client {
  const measure = (next: InitializeHandler): InitializeHandler =>
    async function measuredAwsCall(args) {
      const started = performance.now();
      try {
        return await next(args);
      } catch (error) {
        if (isFailure(error)) metrics.count(METRICS.dependencyErrors, dependency);
        if (isThrottling(error)) metrics.count(METRICS.dependencyThrottles, dependency);
        throw error;
      } finally {
        metrics.milliseconds(METRICS.dependencyLatency, performance.now() - started, dependency);
      }
    };
  // One measure per client, however often a client handed in by a test is measured again.
  (client.middlewareStack as { add(middleware: typeof measure, options: object): void }).add(measure, {
    step: 'initialize',
    name: 'dependencyMetrics',
    override: true,
  });
  return client;
}
