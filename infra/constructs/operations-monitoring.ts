import type { IHttpStage } from 'aws-cdk-lib/aws-apigatewayv2';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import type { FunctionId, Route } from '../../shared/routes.js';
import type { AlarmSubscription } from './alarm-subscriptions.js';
import { AlarmTopic } from './alarm-topic.js';
import { OperationsAlarms, type MonitoredTable } from './operations-alarms.js';
import { OperationsDashboard } from './operations-dashboard.js';

export interface OperationsMonitoringProps {
  routes: readonly Route[];
  functions: Readonly<Record<FunctionId, IFunction>>;
  apiStage: IHttpStage;
  tables: Readonly<Record<MonitoredTable, ITableV2>>;
  /** Who is told when an alarm fires or recovers (the `alarmSubscriptions` context). */
  alarmSubscriptions: readonly AlarmSubscription[];
}

/** The alarm topic, the alarms that notify it, and the dashboard that shows them with their metrics. */
export class OperationsMonitoring extends Construct {
  readonly alarmTopic: AlarmTopic;
  readonly alarms: OperationsAlarms;
  readonly dashboard: OperationsDashboard;

  constructor(scope: Construct, id: string, props: OperationsMonitoringProps) {
    super(scope, id);
    const { routes, functions, apiStage, tables } = props;
    this.alarmTopic = new AlarmTopic(this, 'AlarmTopic', { subscriptions: props.alarmSubscriptions });
    this.alarms = new OperationsAlarms(this, 'Alarms', { routes, functions, apiStage, tables, topic: this.alarmTopic });
    this.dashboard = new OperationsDashboard(this, 'Dashboard', { routes, functions, apiStage, tables, alarms: [...this.alarms.alarms.values()] });
  }
}
