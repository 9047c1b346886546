import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { configRolloutEnvSchema } from '../../functions/config-rollout/env.js';
import { ROUTES } from '../../shared/routes.js';
import { SYNTH_TIMEOUT_MS, environmentOf, logicalIdOf, readable, roleStatementsOf, synthesize, type SynthesizedApp } from './support/synth.js';

// The staged-rollout driver (functions/config-rollout) as the default deployment has it: run by
// EventBridge every minute, outside the HTTP API, watching the alarms that say clients of the
// config route are hurt. synth.test.ts lints these templates with cfn-lint and bundles its code.

let app: SynthesizedApp;
let ids: { fn: string; role: string; logGroup: string; rule: string; configTable: string };
let resources: Record<string, { Type: string; Properties: Record<string, any> }>;

beforeAll(() => {
  app = synthesize();
  const driver = app.stateless.configRollout;
  ids = {
    fn: logicalIdOf(driver.function),
    role: logicalIdOf(driver.function.role!),
    logGroup: logicalIdOf(driver.function.logGroup),
    rule: logicalIdOf(driver.schedule),
    configTable: logicalIdOf(app.stateful.configTable),
  };
  resources = app.statelessTemplate.toJSON().Resources;
}, SYNTH_TIMEOUT_MS);

/** The alarms, by the names OperationsAlarms gives them, whose ALARM state rolls a rollout back. */
const ROLLBACK_ALARMS = ['5xx rate GET /v1/config', 'p99 latency GET /v1/config', 'Lambda errors config', 'Stale config served'];

describe('the config rollout driver', () => {
  it('runs every minute on an EventBridge schedule that targets it, with neither EventBridge nor Lambda retrying a run', () => {
    expect(resources[ids.rule]).toMatchObject({
      Type: 'AWS::Events::Rule',
      Properties: { ScheduleExpression: 'rate(1 minute)', State: 'ENABLED' },
    });
    // The next run retries: a retried one would overlap it.
    expect(resources[ids.rule]!.Properties.Targets).toEqual([
      { Id: expect.any(String), Arn: { 'Fn::GetAtt': [ids.fn, 'Arn'] }, RetryPolicy: { MaximumRetryAttempts: 0 } },
    ]);
    const invokeConfigs = Object.values(app.statelessTemplate.findResources('AWS::Lambda::EventInvokeConfig'));
    expect(invokeConfigs.map((config) => config.Properties)).toEqual([
      { FunctionName: { Ref: ids.fn }, Qualifier: '$LATEST', MaximumRetryAttempts: 0, MaximumEventAgeInSeconds: 60 },
    ]);
  });

  it('may be invoked by that schedule only: no route, no API Gateway integration', () => {
    const permissions = Object.values(app.statelessTemplate.findResources('AWS::Lambda::Permission')).filter(
      (permission) => JSON.stringify(permission.Properties.FunctionName).includes(ids.fn),
    );
    expect(permissions.map((permission) => permission.Properties)).toEqual([
      { Action: 'lambda:InvokeFunction', FunctionName: { 'Fn::GetAtt': [ids.fn, 'Arn'] }, Principal: 'events.amazonaws.com', SourceArn: { 'Fn::GetAtt': [ids.rule, 'Arn'] } },
    ]);
    const integrations = JSON.stringify(app.statelessTemplate.findResources('AWS::ApiGatewayV2::Integration'));
    expect(integrations).not.toContain(ids.fn);
    expect(ROUTES.map((route) => route.functionId)).not.toContain('config-rollout');
  });

  it('is a function like the others: nodejs22.x arm64, 10 s, its own log group kept a month, a role named after the stack, the function and the region', () => {
    expect(resources[ids.fn]!.Properties).toMatchObject({
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      Handler: 'index.handler',
      Timeout: 10,
      LoggingConfig: { LogGroup: { Ref: ids.logGroup } },
    });
    expect(resources[ids.logGroup]!.Properties.RetentionInDays).toBe(30);
    expect(readable(resources[ids.role]!.Properties.RoleName, [])).toBe('SignedPayStateless-config-rollout-AWS::Region');
    expect(app.statelessTemplate.toJSON().Outputs.ConfigRolloutLogGroupName.Value).toEqual({ Ref: ids.logGroup });
  });

  it('may write its log group, get, query and put config items, and describe alarms, and nothing else: no KMS, no scan, no delete', () => {
    const statements = roleStatementsOf(app, app.stateless.configRollout.function);
    expect(statements).toEqual([
      {
        Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        Effect: 'Allow',
        Resource: `${ids.logGroup}.Arn`,
      },
      { Action: ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:PutItem'], Effect: 'Allow', Resource: `${ids.configTable}.Arn` },
      // CloudWatch returns composite alarms only to a caller allowed on "*" (acknowledged for cdk-nag).
      { Action: 'cloudwatch:DescribeAlarms', Effect: 'Allow', Resource: '*' },
    ]);
    expect(JSON.stringify(statements)).not.toMatch(/kms:/);
    // Its role is in no key policy either: keys name the roles they let in.
    expect(JSON.stringify(app.statefulTemplate.toJSON())).not.toContain('config-rollout');
  });

  it('gets the config table and the names of the alarms that roll a rollout back, and its handler accepts that environment', () => {
    const environment = environmentOf(app, app.stateless.configRollout.function);
    expect(environment).toEqual({
      NODE_OPTIONS: '--enable-source-maps',
      POWERTOOLS_SERVICE_NAME: 'config-rollout',
      POWERTOOLS_METRICS_NAMESPACE: 'SignedPay',
      CONFIG_TABLE_NAME: ids.configTable,
      ROLLOUT_ALARM_NAMES: expect.any(String),
    });
    // Each name is a Ref to an alarm of the template (CloudFormation names them; Ref gives the name).
    const watched = String(environment.ROLLOUT_ALARM_NAMES).split(',');
    expect(watched.map((id) => resources[id]?.Type)).toEqual(ROLLBACK_ALARMS.map(() => 'AWS::CloudWatch::Alarm'));
    const alarms = app.stateless.monitoring.alarms.alarms;
    expect(watched).toEqual(ROLLBACK_ALARMS.map((name) => logicalIdOf(alarms.get(name)!)));
    expect(app.stateless.monitoring.alarms.configClientAlarms.map(logicalIdOf)).toEqual(watched);

    const deployed = { ...environment, CONFIG_TABLE_NAME: 'SignedPayStateful-ConfigTable-1A2B3C', ROLLOUT_ALARM_NAMES: watched.map((id) => `SignedPayStateless-${id}-X1Y2Z3`).join(',') };
    const parsed = configRolloutEnvSchema.safeParse(deployed);
    expect(parsed.error?.issues ?? []).toEqual([]);
    // Left to its default: no stage bakes for less than the 15 minutes the alarms need to fire.
    expect(parsed.data?.ROLLOUT_MIN_BAKE_SECONDS).toBe(900);
    expect(parsed.data?.ROLLOUT_ALARM_NAMES).toHaveLength(ROLLBACK_ALARMS.length);
  });

  it('has a Lambda errors alarm of its own, on the alarm topic, and its Lambda graphs on the dashboard', () => {
    const alarm = app.stateless.monitoring.alarms.alarms.get('Lambda errors config-rollout')!;
    expect(resources[logicalIdOf(alarm)]!.Properties).toMatchObject({
      Namespace: 'AWS/Lambda',
      MetricName: 'Errors',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: ids.fn } }],
      Statistic: 'Sum',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      EvaluationPeriods: 1,
      AlarmActions: [{ Ref: logicalIdOf(app.stateless.monitoring.alarmTopic.topic) }],
    });
    // It does not watch itself: its own failures stop rollouts moving, they do not undo them.
    expect(app.stateless.monitoring.alarms.configClientAlarms).not.toContain(alarm);
    const producerIds = Object.keys(app.statefulTemplate.toJSON().Resources as object);
    const dashboard = readable(resources[logicalIdOf(app.stateless.monitoring.dashboard.dashboard)]!.Properties.DashboardBody, producerIds) as string;
    for (const metricName of ['Errors', 'Throttles', 'Duration']) expect(dashboard).toContain(`"AWS/Lambda","${metricName}","FunctionName","${ids.fn}"`);
  });

  it(
    'leaves cdk-nag nothing unacknowledged',
    () => {
      const directory = synthesize({}, { templateValidation: true }).app.synth().directory;
      const report = ['validation-report.json', 'policy-validation-report.json'].map((name) => join(directory, name)).find((path) => existsSync(path));
      const violations = report ? (JSON.parse(readFileSync(report, 'utf8')) as { pluginReports: { violations?: unknown[] }[] }).pluginReports.flatMap((plugin) => plugin.violations ?? []) : [];
      expect(violations).toEqual([]);
    },
    SYNTH_TIMEOUT_MS,
  );
});
