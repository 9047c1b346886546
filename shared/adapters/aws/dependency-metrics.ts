import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { KMSClient } from '@aws-sdk/client-kms';
import { type Dependency, METRICS } from '../../observability/metric-names.js';
import type { ServiceMetrics } from '../../observability/service-metrics.js';

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
 * Measures every call the client makes in the SDK's middleware stack rather than in each adapter.
 * Latency and failure once per call, in the `initialize` step, however many attempts its retries
 * took. Throttling once per attempt, in the `deserialize` step below the retries: a throttle the
 * retries absorbed is the early warning the KMS throttling alarm exists for, before callers see 503s.
 */
export function measureAwsCalls<Client extends KMSClient | DynamoDBClient>(client: Client, dependency: Dependency, metrics: ServiceMetrics): Client {
  const measure = (next: InitializeHandler): InitializeHandler =>
    async function measuredAwsCall(args) {
      const started = performance.now();
      try {
        return await next(args);
      } catch (error) {
        if (isFailure(error)) metrics.count(METRICS.dependencyErrors, dependency);
        throw error;
      } finally {
        metrics.milliseconds(METRICS.dependencyLatency, performance.now() - started, dependency);
      }
    };
  const countThrottledAttempt = (next: InitializeHandler): InitializeHandler =>
    async function throttledAttempt(args) {
      try {
        return await next(args);
      } catch (error) {
        if (isThrottling(error)) metrics.count(METRICS.dependencyThrottles, dependency);
        throw error;
      }
    };
  // One measure per client, however often a client handed in by a test is measured again.
  const stack = client.middlewareStack as { add(middleware: typeof measure, options: object): void };
  stack.add(measure, { step: 'initialize', name: 'dependencyMetrics', override: true });
  // High priority: around the deserializer, so the error is already the service's named exception.
  stack.add(countThrottledAttempt, { step: 'deserialize', priority: 'high', name: 'dependencyThrottledAttempts', override: true });
  return client;
}
