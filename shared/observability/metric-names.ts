/**
 * The metrics contract: what the functions emit (Powertools Metrics, CloudWatch EMF) and what
 * the alarms and the dashboard in CDK watch. Both sides import these names, so they cannot drift.
 *
 * CloudWatch identifies a metric by its namespace, name and its whole set of dimensions. Every
 * metric carries `service` (the function id, from POWERTOOLS_SERVICE_NAME) plus the dimensions
 * listed beside it here, and nothing else: an alarm names exactly these.
 */
export const METRICS_NAMESPACE = 'SignedPay';

/** Powertools' default dimension: the function id (`settlement`, `verification`, `config`, `jwks`). */
export const SERVICE_DIMENSION = 'service';

export const DIMENSIONS = {
  /** API Gateway's route key, `POST /v1/verifications`. */
  route: 'Route',
  /** A verification result's reason code (`OK`, `BAD_SIGNATURE`, `UNKNOWN_KEY`, ...). */
  reason: 'Reason',
  /** A settlement's payment status (`SETTLED`, `DECLINED`, ...). */
  status: 'Status',
  /** `KMS` or `DynamoDB`. */
  dependency: 'Dependency',
} as const;

export const METRICS = {
  /** Count; dimensions: service, Route. One per request answered. */
  requests: 'Requests',
  /** Milliseconds; dimensions: service, Route. From the handler's start to its answer. */
  latency: 'Latency',
  /** Count; dimensions: service, Route. Answers with a 5xx status (ours). */
  serverErrors: 'ServerErrors',
  /** Count; dimensions: service, Route. Answers with a 4xx status (the caller's). */
  clientErrors: 'ClientErrors',
  /** Count; dimensions: service, Reason. One per verification result answered. */
  verificationResults: 'VerificationResults',
  /** Count; dimensions: service, Status. One per settlement answered (new or replayed). */
  settlements: 'Settlements',
  /** Milliseconds; dimensions: service, Dependency. One per AWS call, failed or not. */
  dependencyLatency: 'DependencyLatency',
  /** Count; dimensions: service, Dependency. AWS calls that failed for any reason, throttles included (a conditional write refused by its condition is an answer, not a failure). */
  dependencyErrors: 'DependencyErrors',
  /** Count; dimensions: service, Dependency. AWS attempts refused for throttling, those the SDK retried included (KMS ThrottlingException, DynamoDB ProvisionedThroughputExceeded / ThrottlingException / RequestLimitExceeded). */
  dependencyThrottles: 'DependencyThrottles',
  /** Count; dimensions: service. Config lookups answered from the container's cache. */
  configCacheHits: 'ConfigCacheHits',
  /** Count; dimensions: service. Config lookups that read DynamoDB. */
  configCacheMisses: 'ConfigCacheMisses',
  /** Count; dimensions: service. Config answers served stale because DynamoDB failed. */
  staleConfigServed: 'StaleConfigServed',
} as const;

/** The `Dependency` dimension's values: the AWS services the functions call. */
export type Dependency = 'KMS' | 'DynamoDB';

/** Every response carries the request's correlation id (API Gateway's request id) in this header. */
export const REQUEST_ID_HEADER = 'x-request-id';
