import { type CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import type { AlarmSource } from '../domain/config/rollout.js';
import { withinDeadline } from './aws/call-deadline.js';

/** DescribeAlarms takes at most 100 names per call. */
const NAMES_PER_CALL = 100;

/**
 * The watched alarms' state in CloudWatch: those in ALARM, by name, metric and composite alike
 * (CloudWatch returns composite alarms only to a role allowed DescribeAlarms on `*`). An alarm
 * that does not exist is not returned: infra passes the names of alarms it created.
 */
export class CloudWatchAlarmSource implements AlarmSource {
  constructor(
    private readonly cloudwatch: CloudWatchClient,
    private readonly alarmNames: readonly string[],
  ) {}

  async firing(): Promise<string[]> {
    const firing: string[] = [];
    for (let start = 0; start < this.alarmNames.length; start += NAMES_PER_CALL) {
      const AlarmNames = this.alarmNames.slice(start, start + NAMES_PER_CALL);
      let NextToken: string | undefined;
      do {
        const page = await this.cloudwatch.send(
          new DescribeAlarmsCommand({ AlarmNames, StateValue: 'ALARM', AlarmTypes: ['MetricAlarm', 'CompositeAlarm'], NextToken }),
          withinDeadline(),
        );
        for (const alarm of [...(page.MetricAlarms ?? []), ...(page.CompositeAlarms ?? [])]) if (alarm.AlarmName) firing.push(alarm.AlarmName);
        NextToken = page.NextToken;
      } while (NextToken);
    }
    return firing;
  }
}
