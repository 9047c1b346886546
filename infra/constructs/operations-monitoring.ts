import { Construct } from 'constructs';
import type { SigningMode } from '../../shared/domain/delegation/delegation.js';
import type { AlarmSubscription } from './alarm-subscriptions.js';
import { AlarmTopic } from './alarm-topic.js';
import { type MonitoredResources, OperationsAlarms } from './operations-alarms.js';
import { OperationsDashboard } from './operations-dashboard.js';

export interface OperationsMonitoringProps extends MonitoredResources {
  /** Who is told when an alarm fires or recovers (the `alarmSubscriptions` context). */
  alarmSubscriptions: readonly AlarmSubscription[];
  /** Which calls the functions make on the delegation table (the system-error alarms watch those). */
  signingMode: SigningMode;
}

/** The alarm topic, the alarms that notify it, and the dashboard that shows them with their metrics. */
export class OperationsMonitoring extends Construct {
  readonly alarmTopic: AlarmTopic;
  readonly alarms: OperationsAlarms;
  readonly dashboard: OperationsDashboard;

  constructor(scope: Construct, id: string, props: OperationsMonitoringProps) {
    super(scope, id);
    const { routes, functions, scheduledFunctions, apiStage, tables } = props;
    const monitored = { routes, functions, scheduledFunctions, apiStage, tables };
    this.alarmTopic = new AlarmTopic(this, 'AlarmTopic', { subscriptions: props.alarmSubscriptions });
    this.alarms = new OperationsAlarms(this, 'Alarms', { ...monitored, topic: this.alarmTopic, signingMode: props.signingMode });
    this.dashboard = new OperationsDashboard(this, 'Dashboard', { ...monitored, alarms: [...this.alarms.alarms.values()] });
  }
}
