import { join } from 'node:path';
import { Duration, Validations } from 'aws-cdk-lib';
import type { IAlarm } from 'aws-cdk-lib/aws-cloudwatch';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { SCHEDULED_ENV_CONTRACTS, type ScheduledEnvContracts, scheduledHandlerEntryOf } from '../scheduled-functions.js';
import { ApiFunction } from './api-function.js';
import { bindConfigForRollout, bindRolloutAlarms } from './bindings.js';

const FUNCTION_ID = 'config-rollout';

/** Every minute: a stage of a staged rollout lasts minutes, and a rollback should follow an alarm within one. */
const ROLLOUT_DRIVER_RATE = Duration.minutes(1);

export interface ConfigRolloutDriverProps {
  /** The config table: rollouts and the layers' `CURRENT` pointers they move. */
  configTable: ITableV2;
  /** Absolute path of the repository root (see ApiFunction). */
  projectRoot: string;
  logRetention: RetentionDays;
  tracing: boolean;
  /** The execution role's name, `<stack>-config-rollout-<region>` (infra/function-roles.ts). */
  roleName: string;
  declareLocalEndpoints: boolean;
}

/**
 * EventBridge to Lambda to DynamoDB and CloudWatch: the function that drives staged config rollouts
 * (functions/config-rollout), run by a schedule every minute. It moves each rollout to its next
 * stage once the current one has baked, and rolls it back when an alarm it watches is in ALARM. The alarms are
 * handed over later (`watch`), because they are built with the other alarms, after this function.
 */
export class ConfigRolloutDriver extends Construct {
  readonly function: ApiFunction<ScheduledEnvContracts[typeof FUNCTION_ID]>;
  readonly schedule: Rule;
  private watching = false;

  constructor(scope: Construct, id: string, props: ConfigRolloutDriverProps) {
    super(scope, id);
    this.function = new ApiFunction(this, 'Function', {
      environmentContract: SCHEDULED_ENV_CONTRACTS[FUNCTION_ID],
      entry: join(props.projectRoot, scheduledHandlerEntryOf(FUNCTION_ID)),
      projectRoot: props.projectRoot,
      serviceName: FUNCTION_ID,
      description: `signed-pay ${FUNCTION_ID}: advances staged config rollouts, rolls back on alarm`,
      logRetention: props.logRetention,
      tracing: props.tracing,
      roleName: props.roleName,
      declareLocalEndpoints: props.declareLocalEndpoints,
    });
    bindConfigForRollout(this.function, props.configTable);
    // No retries of a failed or late run: the next run, a minute later, starts from what DynamoDB
    // holds, while a retry would overlap it. (60 s is the shortest age Lambda accepts.)
    this.function.configureAsyncInvoke({ retryAttempts: 0, maxEventAge: Duration.minutes(1) });

    this.schedule = new Rule(this, 'Schedule', {
      description: `Runs the ${FUNCTION_ID} function: staged config rollouts advance or roll back`,
      schedule: Schedule.rate(ROLLOUT_DRIVER_RATE),
    });
    // Nor does EventBridge redeliver a run it could not hand to Lambda: the next one is a minute away.
    this.schedule.addTarget(new LambdaFunction(this.function, { retryAttempts: 0 }));
    this.node.addValidation({
      validate: () => (this.watching ? [] : [`${this.node.path} watches no alarm: call watch() with the alarms that roll a rollout back`]),
    });
  }

  /** The alarms whose ALARM state rolls a rollout back: their names go to ROLLOUT_ALARM_NAMES (see bindRolloutAlarms). */
  watch(alarms: readonly IAlarm[]): void {
    bindRolloutAlarms(this.function, alarms);
    Validations.of(this.function.role!).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'cloudwatch:DescribeAlarms on "*": the driver reads metric and composite alarms by name, and CloudWatch returns composite alarms only to a caller allowed on "*". It reads alarm states and changes nothing.',
    });
    this.watching = true;
  }
}
