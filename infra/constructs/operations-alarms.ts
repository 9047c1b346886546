import { Alarm, ComparisonOperator, MathExpression, Stats, TreatMissingData, type IMetric } from 'aws-cdk-lib/aws-cloudwatch';
import type { IHttpStage } from 'aws-cdk-lib/aws-apigatewayv2';
import { Operation, type ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import type { SigningMode } from '../../shared/domain/delegation/delegation.js';
import { FUNCTION_IDS, routeKeyOf, type FunctionId, type Route } from '../../shared/routes.js';
import type { ScheduledFunctionId } from '../scheduled-functions.js';
import type { AlarmTopic } from './alarm-topic.js';
import { DEPENDENCIES_OF, PERIOD, dependencyMetric, routeMetric, settlementMetric, verificationResultMetric, configCacheMetric } from './operations-metrics.js';

export type MonitoredTable = 'ledger' | 'merchants' | 'config' | 'delegations';

/** The item operations the functions call on each table: the ones bindings.ts grants. Delegations are written in delegated mode only. */
function tableOperations(signingMode: SigningMode): Readonly<Record<MonitoredTable, readonly Operation[]>> {
  return {
    ledger: [Operation.GET_ITEM, Operation.PUT_ITEM, Operation.UPDATE_ITEM, Operation.DELETE_ITEM],
    merchants: [Operation.GET_ITEM],
    // Reads by the config function; puts by the rollout driver (rollout steps, layers' CURRENT pointers).
    config: [Operation.GET_ITEM, Operation.BATCH_GET_ITEM, Operation.QUERY, Operation.PUT_ITEM],
    delegations: [Operation.GET_ITEM, Operation.QUERY, ...(signingMode === 'delegated' ? [Operation.PUT_ITEM] : [])],
  };
}

/**
 * Latency budgets, p99 of the handler's own time. Settlement makes one KMS Sign and two DynamoDB
 * writes (tens of ms each in region) and calls the processor; config gives up on DynamoDB after
 * 1 s and one retry; verification signs a verdict and may read the ledger; jwks answers from
 * memory. Above these, requests are waiting on retries, not working.
 */
export const P99_LATENCY_BUDGET_MS: Readonly<Record<FunctionId, number>> = {
  settlement: 1500,
  verification: 1000,
  config: 1000,
  jwks: 500,
};

/** Under this many requests in a period a rate says little (one failure of 3 is 33 %): it reads 0. */
const MIN_REQUESTS_FOR_A_RATE = 10;
const MAX_5XX_PERCENT = 5;
/**
 * A payment response of ours always verifies; BAD_SIGNATURE and UNKNOWN_KEY come from forged or
 * altered tokens (anyone may call verification), a client that mangles tokens, or a key retired
 * too early. A handful is noise; this many in five minutes is someone trying, or a broken rotation.
 */
const MAX_REJECTIONS_PER_PERIOD = 20;
/** The rejections whose bursts mean an attack or a broken key change, and what each says. */
const REJECTIONS_WORTH_AN_ALARM = {
  BAD_SIGNATURE: 'found a signature that does not match: forged or altered payment responses are being tried.',
  UNKNOWN_KEY: 'named a key we do not trust: forged tokens, or a payment key retired (or not yet trusted) while its responses are still in use.',
  // Delegated signing: a revoked delegation's key still in use, or tokens of ended delegations replayed without checkLedger.
  DELEGATION_REVOKED: "named a delegated key whose delegation was revoked: the key revoked is being used, or the revoked container's receipts are still being checked.",
  DELEGATION_EXPIRED: 'presented a delegated key outside its delegation: a stolen ephemeral key signing after its hour, or receipts checked too late without checkLedger.',
} as const;
const MIN_SETTLEMENTS_FOR_A_RATE = 20;
const MAX_DECLINE_PERCENT = 50;

/** What the alarms and the dashboard watch. */
export interface MonitoredResources {
  routes: readonly Route[];
  functions: Readonly<Record<FunctionId, IFunction>>;
  /** The functions EventBridge runs on a schedule (no route: only Lambda's own metrics). */
  scheduledFunctions: Readonly<Record<ScheduledFunctionId, IFunction>>;
  /** The API's stage, for API Gateway's own 5xx count (answers no function gave: throttles, crashes, timeouts). */
  apiStage: IHttpStage;
  tables: Readonly<Record<MonitoredTable, ITableV2>>;
}

export interface OperationsAlarmsProps extends MonitoredResources {
  topic: AlarmTopic;
  /** Decides which operations the functions call on the delegation table. */
  signingMode: SigningMode;
}

/**
 * The alarms of the service, each notifying the alarm topic on ALARM and OK. No traffic is not a
 * failure: every alarm treats missing data as not breaching, and rates read 0 below a minimum
 * number of requests. Thresholds and the reasons for them are in the README's alarms table.
 */
export class OperationsAlarms extends Construct {
  /** By what they watch, e.g. `5xx rate POST /v1/settlements`, `Lambda errors settlement`. */
  readonly alarms: ReadonlyMap<string, Alarm>;
  /**
   * The alarms that say clients are hurt by the configuration they get: the config route's 5xx rate
   * and p99 latency, the config function's Lambda errors, and stale configuration served. The
   * rollout driver rolls a rollout back when one of them is in ALARM.
   */
  readonly configClientAlarms: readonly Alarm[];
  private readonly byName = new Map<string, Alarm>();
  private readonly topic: AlarmTopic;

  constructor(scope: Construct, id: string, props: OperationsAlarmsProps) {
    super(scope, id);
    this.alarms = this.byName;
    this.topic = props.topic;

    for (const route of props.routes) this.routeAlarms(route);
    this.add('5xx rate API Gateway', 'ApiGateway5xxRate', {
      metric: percentOf(props.apiStage.metricServerError({ period: PERIOD, statistic: Stats.SUM }), props.apiStage.metricCount({ period: PERIOD, statistic: Stats.SUM }), MIN_REQUESTS_FOR_A_RATE),
      threshold: MAX_5XX_PERCENT,
      above: true,
      evaluationPeriods: 3,
      datapointsToAlarm: 2,
      description: `More than ${MAX_5XX_PERCENT} % of all API answers were 5xx in 2 of 3 five-minute periods, counted by API Gateway: includes what no function answered (Lambda throttled, crashed or timed out).`,
    });
    for (const functionId of FUNCTION_IDS) this.functionAlarms(functionId, props.functions[functionId]);
    for (const [functionId, fn] of Object.entries(props.scheduledFunctions) as [ScheduledFunctionId, IFunction][]) this.scheduledFunctionAlarm(functionId, fn);
    this.kmsThrottlingAlarm();
    const operations = tableOperations(props.signingMode);
    for (const [name, table] of Object.entries(props.tables) as [MonitoredTable, ITableV2][]) this.tableAlarms(name, table, operations[name]);
    this.verificationAlarms();
    this.settlementAlarm();
    this.add('Stale config served', 'StaleConfigServed', {
      metric: configCacheMetric('staleConfigServed'),
      threshold: 1,
      evaluationPeriods: 2,
      description:
        'The config function answered from its last known configuration because DynamoDB failed, for ten minutes in a row: one slow read is noise, this is an outage of the config table (see the DynamoDB alarms) that clients do not see yet.',
    });
    const configRoutes = props.routes.filter((route) => route.functionId === 'config').map(routeKeyOf);
    this.configClientAlarms = [
      ...configRoutes.flatMap((routeKey) => [`5xx rate ${routeKey}`, `p99 latency ${routeKey}`]),
      'Lambda errors config',
      'Stale config served',
    ].map((name) => this.byName.get(name)!);
  }

  private routeAlarms(route: Route): void {
    const routeKey = routeKeyOf(route);
    const idSuffix = `${route.method}${route.path.replace(/[^A-Za-z0-9]/g, '')}`;
    this.add(`5xx rate ${routeKey}`, `Route5xxRate${idSuffix}`, {
      metric: percentOf(routeMetric(route, 'serverErrors'), routeMetric(route, 'requests'), MIN_REQUESTS_FOR_A_RATE),
      threshold: MAX_5XX_PERCENT,
      above: true,
      evaluationPeriods: 3,
      datapointsToAlarm: 2,
      description: `More than ${MAX_5XX_PERCENT} % of ${routeKey} answers were 5xx (with at least ${MIN_REQUESTS_FOR_A_RATE} requests) in 2 of 3 five-minute periods. Check the function's logs and the dependency alarms.`,
    });
    const budget = P99_LATENCY_BUDGET_MS[route.functionId];
    this.add(`p99 latency ${routeKey}`, `RouteP99Latency${idSuffix}`, {
      metric: routeMetric(route, 'latency', Stats.p(99)),
      threshold: budget,
      above: true,
      evaluationPeriods: 3,
      description: `p99 of ${routeKey} handler time above ${budget} ms for fifteen minutes: requests wait on KMS or DynamoDB retries. Sustained, so that a few cold starts at low traffic do not page.`,
    });
  }

  private functionAlarms(functionId: FunctionId, fn: IFunction): void {
    this.add(`Lambda errors ${functionId}`, `LambdaErrors${functionId}`, {
      metric: fn.metricErrors({ period: PERIOD, statistic: Stats.SUM }),
      threshold: 1,
      evaluationPeriods: 1,
      description: `The ${functionId} function crashed, timed out or ran out of memory: handlers turn every error into an answer, so any Lambda error is a bug or a hung dependency.`,
    });
    this.add(`Lambda throttles ${functionId}`, `LambdaThrottles${functionId}`, {
      metric: fn.metricThrottles({ period: PERIOD, statistic: Stats.SUM }),
      threshold: 1,
      evaluationPeriods: 1,
      description: `Lambda refused to run ${functionId} (account or function concurrency exhausted): API Gateway answered those requests with 5xx.`,
    });
  }

  /** Invoked asynchronously by EventBridge: a throttled run waits for the next one, so only errors alarm. */
  private scheduledFunctionAlarm(functionId: ScheduledFunctionId, fn: IFunction): void {
    this.add(`Lambda errors ${functionId}`, `LambdaErrors${functionId.replace(/[^A-Za-z0-9]/g, '')}`, {
      metric: fn.metricErrors({ period: PERIOD, statistic: Stats.SUM }),
      threshold: 1,
      evaluationPeriods: 1,
      description: `The scheduled ${functionId} function failed a run (an error, a timeout or out of memory): nothing it drives moves until a run succeeds. Its log group has the error.`,
    });
  }

  private kmsThrottlingAlarm(): void {
    const callers = FUNCTION_IDS.filter((functionId) => DEPENDENCIES_OF[functionId].includes('KMS'));
    const usingMetrics = Object.fromEntries(callers.map((functionId) => [functionId, dependencyMetric(functionId, 'KMS', 'dependencyThrottles')]));
    this.add('KMS throttling', 'KmsThrottling', {
      metric: new MathExpression({ expression: `SUM([${callers.join(', ')}])`, usingMetrics, period: PERIOD, label: 'KMS throttles' }),
      threshold: 1,
      evaluationPeriods: 1,
      description:
        'KMS refused calls for throttling (ECC signing shares one request quota per account and region): settlements and verdicts fail with 503 until it passes (configuration answers only where a container holds no valid signature of them). Raise the quota or find the other caller.',
    });
  }

  private tableAlarms(name: MonitoredTable, table: ITableV2, operations: readonly Operation[]): void {
    const throttleEvents = { period: PERIOD, statistic: Stats.SUM };
    this.add(`DynamoDB throttles ${name}`, `DynamoDbThrottles${name}`, {
      metric: new MathExpression({
        expression: 'SUM([reads, writes])',
        usingMetrics: { reads: table.metric('ReadThrottleEvents', throttleEvents), writes: table.metric('WriteThrottleEvents', throttleEvents) },
        period: PERIOD,
        label: `${name} throttle events`,
      }),
      threshold: 1,
      evaluationPeriods: 1,
      description: `DynamoDB throttled requests to the ${name} table (on demand: a hot key or the table's throughput limit). The SDK retries; what still fails is a 503.`,
    });
    // Per operation, because SystemErrors has no table-wide series; SUM counts an operation without data as 0.
    const usingMetrics = Object.fromEntries(
      operations.map((operation) => [
        operation.toLowerCase(),
        table.metric('SystemErrors', { dimensionsMap: { TableName: table.tableName, Operation: operation }, period: PERIOD, statistic: Stats.SUM }),
      ]),
    );
    this.add(`DynamoDB system errors ${name}`, `DynamoDbSystemErrors${name}`, {
      metric: new MathExpression({ expression: `SUM([${Object.keys(usingMetrics).join(', ')}])`, usingMetrics, period: PERIOD, label: `${name} system errors` }),
      threshold: 1,
      evaluationPeriods: 3,
      datapointsToAlarm: 2,
      description: `DynamoDB answered 500 to requests on the ${name} table in 2 of 3 five-minute periods: a lone one is retried and harmless, repeated ones are a service event (check the AWS Health Dashboard).`,
    });
  }

  private verificationAlarms(): void {
    for (const [reason, meaning] of Object.entries(REJECTIONS_WORTH_AN_ALARM)) {
      this.add(`Verification ${reason}`, `Verification${reason.replace('_', '')}`, {
        metric: verificationResultMetric(reason as keyof typeof REJECTIONS_WORTH_AN_ALARM),
        threshold: MAX_REJECTIONS_PER_PERIOD,
        evaluationPeriods: 1,
        description: `At least ${MAX_REJECTIONS_PER_PERIOD} verifications in five minutes ${meaning}`,
      });
    }
  }

  private settlementAlarm(): void {
    const settled = settlementMetric('SETTLED');
    const declined = settlementMetric('DECLINED');
    const total = new MathExpression({ expression: 'SUM([settled, declined])', usingMetrics: { settled, declined }, period: PERIOD });
    this.add('Settlement decline rate', 'SettlementDeclineRate', {
      metric: new MathExpression({
        expression: `IF(total >= ${MIN_SETTLEMENTS_FOR_A_RATE}, 100 * FILL(declined, 0) / total, 0)`,
        usingMetrics: { total, declined },
        period: PERIOD,
        label: 'declined %',
      }),
      threshold: MAX_DECLINE_PERCENT,
      above: true,
      evaluationPeriods: 3,
      datapointsToAlarm: 2,
      description: `More than ${MAX_DECLINE_PERCENT} % of settlements declined (with at least ${MIN_SETTLEMENTS_FOR_A_RATE}) in 2 of 3 five-minute periods: card testing through a merchant, or the processor failing.`,
    });
  }

  /** Counts alarm at the threshold ("at least 1 error"); rates and latencies above it (`above: true`). */
  private add(
    name: string,
    id: string,
    settings: { metric: IMetric; threshold: number; above?: true; evaluationPeriods: number; datapointsToAlarm?: number; description: string },
  ): void {
    const alarm = new Alarm(this, id, {
      metric: settings.metric,
      threshold: settings.threshold,
      comparisonOperator: settings.above ? ComparisonOperator.GREATER_THAN_THRESHOLD : ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: settings.evaluationPeriods,
      datapointsToAlarm: settings.datapointsToAlarm,
      treatMissingData: TreatMissingData.NOT_BREACHING,
      alarmDescription: settings.description,
    });
    this.topic.notifyOn(alarm);
    this.byName.set(name, alarm);
  }
}

/** 100 × part / whole, or 0 while whole is under `minimumWhole` (a rate of a handful says little). */
function percentOf(part: IMetric, whole: IMetric, minimumWhole: number): MathExpression {
  return new MathExpression({
    expression: `IF(whole >= ${minimumWhole}, 100 * FILL(part, 0) / whole, 0)`,
    usingMetrics: { part, whole },
    period: PERIOD,
    label: '%',
  });
}
