import { Aws, CfnCondition, Duration, Fn } from 'aws-cdk-lib';
import { AlarmStatusWidget, Dashboard, GraphWidget, MathExpression, Stats, TextWidget, type Alarm, type IMetric, type IWidget } from 'aws-cdk-lib/aws-cloudwatch';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { PAYMENT_STATUSES } from '../../shared/domain/settlement/payment-response.js';
import { REASON_PRECEDENCE } from '../../shared/domain/verification/reasons.js';
import { FUNCTION_IDS, type FunctionId } from '../../shared/routes.js';
import type { MonitoredResources, MonitoredTable } from './operations-alarms.js';
import { DEPENDENCIES_OF, PERIOD, configCacheMetric, dependencyMetric, routeMetric, settlementMetric, verificationResultMetric } from './operations-metrics.js';

export interface OperationsDashboardProps extends MonitoredResources {
  alarms: readonly Alarm[];
}

interface GraphSpec {
  title: string;
  left: IMetric[];
  stacked?: boolean;
  unit?: string;
}

const WIDTH = 24;
const HEIGHT = 6;

/**
 * One CloudWatch dashboard, top to bottom: alarm states; per route requests, 4xx, 5xx and p99 latency;
 * verification results by reason, settlements by status and the config cache; each function's
 * calls to KMS and DynamoDB; Lambda; DynamoDB. Its name is generated (no physical names).
 */
export class OperationsDashboard extends Construct {
  readonly dashboard: Dashboard;
  /** The console page of the dashboard, in the partition it is deployed to. */
  readonly url: string;

  constructor(scope: Construct, id: string, props: OperationsDashboardProps) {
    super(scope, id);
    this.dashboard = new Dashboard(this, 'Dashboard', { defaultInterval: Duration.hours(3) });
    const graph = (title: string, left: IMetric[], options: { stacked?: boolean; unit?: string } = {}): GraphSpec => ({ title, left, ...options });
    // A heading, then its graphs side by side.
    const row = (heading: string, ...graphs: GraphSpec[]): IWidget[] => [
      new TextWidget({ markdown: `### ${heading}`, width: WIDTH, height: 1 }),
      ...graphs.map(
        ({ title, left, stacked, unit }) =>
          new GraphWidget({ title, left, stacked, width: WIDTH / graphs.length, height: HEIGHT, leftYAxis: { min: 0, label: unit, showUnits: false } }),
      ),
    ];
    const kmsAndDynamoCalls = FUNCTION_IDS.flatMap((functionId) => DEPENDENCIES_OF[functionId].map((dependency) => [functionId, dependency] as const));

    this.dashboard.addWidgets(new AlarmStatusWidget({ title: 'Alarms', alarms: [...props.alarms], width: WIDTH, height: 4 }));
    this.dashboard.addWidgets(
      ...row(
        'API, per route (handler metrics; API Gateway 5xx includes answers no function gave)',
        graph('Requests', props.routes.map((route) => routeMetric(route, 'requests'))),
        graph('4xx', props.routes.map((route) => routeMetric(route, 'clientErrors'))),
        graph('5xx', [
          ...props.routes.map((route) => routeMetric(route, 'serverErrors')),
          props.apiStage.metricServerError({ period: PERIOD, statistic: Stats.SUM, label: 'API Gateway 5xx (all routes)' }),
        ]),
        graph('p99 latency', props.routes.map((route) => routeMetric(route, 'latency', Stats.p(99))), { unit: 'ms' }),
      ),
    );
    this.dashboard.addWidgets(
      ...row(
        'Outcomes',
        graph('Verification results by reason', REASON_PRECEDENCE.map(verificationResultMetric), { stacked: true }),
        graph('Settlements by status', PAYMENT_STATUSES.map(settlementMetric), { stacked: true }),
        graph('Config cache', [configCacheMetric('configCacheHits'), configCacheMetric('configCacheMisses'), configCacheMetric('staleConfigServed')]),
      ),
    );
    this.dashboard.addWidgets(
      ...row(
        'Dependencies (each function’s calls to KMS and DynamoDB)',
        graph('p99 call latency', kmsAndDynamoCalls.map(([service, dependency]) => dependencyMetric(service, dependency, 'dependencyLatency', Stats.p(99))), { unit: 'ms' }),
        graph('Failed calls', kmsAndDynamoCalls.map(([service, dependency]) => dependencyMetric(service, dependency, 'dependencyErrors'))),
        graph('Throttled calls', kmsAndDynamoCalls.map(([service, dependency]) => dependencyMetric(service, dependency, 'dependencyThrottles'))),
      ),
    );
    // The routed functions, then the scheduled ones.
    const everyFunction = [...FUNCTION_IDS.map((functionId) => [functionId, props.functions[functionId]] as const), ...Object.entries(props.scheduledFunctions)];
    const perFunction = (metricOf: (fn: IFunction, functionId: string) => IMetric) => everyFunction.map(([functionId, fn]) => metricOf(fn, functionId));
    this.dashboard.addWidgets(
      ...row(
        'Lambda',
        graph('Errors', perFunction((fn, label) => fn.metricErrors({ period: PERIOD, statistic: Stats.SUM, label }))),
        graph('Throttles', perFunction((fn, label) => fn.metricThrottles({ period: PERIOD, statistic: Stats.SUM, label }))),
        graph('p99 duration', perFunction((fn, label) => fn.metricDuration({ period: PERIOD, statistic: Stats.p(99), label })), { unit: 'ms' }),
      ),
    );
    const tables = Object.entries(props.tables) as [MonitoredTable, ITableV2][];
    const tableSum = (table: ITableV2, metricName: string, label: string) => table.metric(metricName, { period: PERIOD, statistic: Stats.SUM, label });
    this.dashboard.addWidgets(
      ...row(
        'DynamoDB',
        graph('Read throttle events', tables.map(([name, table]) => tableSum(table, 'ReadThrottleEvents', name))),
        graph('Write throttle events', tables.map(([name, table]) => tableSum(table, 'WriteThrottleEvents', name))),
        graph(
          'System errors',
          tables.map(
            ([name, table]) =>
              // SystemErrors exists per operation only; the search adds up whatever operations reported.
              new MathExpression({
                expression: `SUM(SEARCH('{AWS/DynamoDB,Operation,TableName} MetricName="SystemErrors" TableName="${table.tableName}"', 'Sum', ${PERIOD.toSeconds()}))`,
                label: name,
                period: PERIOD,
                usingMetrics: {},
              }),
          ),
        ),
      ),
    );

    // China's console has a domain of its own; every other partition this app targets uses the global one.
    const inChina = new CfnCondition(this, 'InChinaPartition', { expression: Fn.conditionEquals(Aws.PARTITION, 'aws-cn') });
    const consoleHost = Fn.conditionIf(inChina.logicalId, 'console.amazonaws.cn', 'console.aws.amazon.com').toString();
    this.url = `https://${consoleHost}/cloudwatch/home?region=${Aws.REGION}#dashboards/dashboard/${this.dashboard.dashboardName}`;
  }
}
