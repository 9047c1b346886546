import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { SubscriptionProtocol } from 'aws-cdk-lib/aws-sns';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../infra/app.js';
import { parseDeploymentContext } from '../../infra/context.js';
import { AlarmTopic } from '../../infra/constructs/alarm-topic.js';
import { KEY_ADMIN_ACTIONS } from '../../infra/constructs/signing-key-policy.js';
import { METRICS, METRICS_NAMESPACE } from '../../shared/observability/metric-names.js';
import { SCHEDULED_FUNCTION_IDS } from '../../infra/scheduled-functions.js';
import { FUNCTION_IDS, ROUTES, routeKeyOf, type FunctionId } from '../../shared/routes.js';
import { SYNTH_TIMEOUT_MS, WITHOUT_BUNDLING, logicalIdOf, readable, roleStatementsOf, synthesize, type SynthesizedApp } from './support/synth.js';

// The default deployment (shared with the other infra tests) and one with two subscriptions.
let app: SynthesizedApp;
let producerIds: string[];
beforeAll(() => {
  app = synthesize();
  producerIds = Object.keys(app.statefulTemplate.toJSON().Resources as object);
}, SYNTH_TIMEOUT_MS);

interface WatchedMetric {
  namespace: string;
  metricName: string;
  dimensions: Record<string, unknown>;
  stat: string;
}

interface AlarmView {
  threshold: number;
  comparison: string;
  evaluationPeriods: number;
  datapointsToAlarm: number | undefined;
  /** The expression the alarm evaluates; undefined for an alarm on one metric. */
  expression: string | undefined;
  /** Every metric the alarm reads, by its id in the expression (`m` for an alarm on one metric). */
  metrics: Record<string, WatchedMetric>;
}

type Dimensions = { Name: string; Value: unknown }[];
const dimensionsOf = (dimensions: Dimensions = []) => Object.fromEntries(dimensions.map(({ Name, Value }) => [Name, Value]));

/** An alarm of OperationsAlarms, by name, as the template has it (references made readable). */
function alarm(name: string): AlarmView {
  const construct = app.stateless.monitoring.alarms.alarms.get(name);
  if (!construct) throw new Error(`no alarm named ${name}`);
  const p = readable(app.statelessTemplate.toJSON().Resources[logicalIdOf(construct)].Properties, producerIds) as Record<string, any>;
  const common = { threshold: p.Threshold, comparison: p.ComparisonOperator, evaluationPeriods: p.EvaluationPeriods, datapointsToAlarm: p.DatapointsToAlarm };
  if (!p.Metrics) {
    return {
      ...common,
      expression: undefined,
      metrics: { m: { namespace: p.Namespace, metricName: p.MetricName, dimensions: dimensionsOf(p.Dimensions), stat: p.Statistic ?? p.ExtendedStatistic } },
    };
  }
  const queries = p.Metrics as { Id: string; Expression?: string; ReturnData?: boolean; MetricStat?: any }[];
  const returned = queries.filter((query) => query.ReturnData !== false);
  expect(returned, name).toHaveLength(1);
  const watched = ({ MetricStat }: { MetricStat?: any }) => ({
    namespace: MetricStat.Metric.Namespace,
    metricName: MetricStat.Metric.MetricName,
    dimensions: dimensionsOf(MetricStat.Metric.Dimensions),
    stat: MetricStat.Stat,
  });
  // CDK writes an alarm on one labelled metric in this form too.
  if (!returned[0]!.Expression) return { ...common, expression: undefined, metrics: { m: watched(returned[0]!) } };
  const metrics = Object.fromEntries(queries.filter((query) => query.MetricStat).map((query) => [query.Id, watched(query)]));
  return { ...common, expression: returned[0]!.Expression, metrics };
}

const custom = (metricName: string, dimensions: Record<string, string>, stat = 'Sum'): WatchedMetric => ({ namespace: METRICS_NAMESPACE, metricName, dimensions, stat });
const AT_LEAST = 'GreaterThanOrEqualToThreshold';
const ABOVE = 'GreaterThanThreshold';

/** The DynamoDB operations the functions' roles may call, by table (its logical id): the routed functions and the rollout driver. */
function grantedTableOperations(): Map<string, Set<string>> {
  const granted = new Map<string, Set<string>>();
  for (const fn of [...FUNCTION_IDS.map((functionId) => app.stateless.functions[functionId]), app.stateless.configRollout.function]) {
    for (const statement of roleStatementsOf(app, fn) as { Action: string | string[]; Resource: unknown }[]) {
      for (const action of [statement.Action].flat().filter((name) => name.startsWith('dynamodb:'))) {
        const table = String(statement.Resource).replace(/\.Arn$/, '');
        granted.set(table, new Set([...(granted.get(table) ?? []), action.replace('dynamodb:', '')]));
      }
    }
  }
  return granted;
}

describe('the alarms', () => {
  it('are the ones the README lists, each telling the alarm topic on ALARM and OK and calm without data', () => {
    const names = [...app.stateless.monitoring.alarms.alarms.keys()];
    expect(names.sort()).toEqual(
      [
        ...ROUTES.flatMap((route) => [`5xx rate ${routeKeyOf(route)}`, `p99 latency ${routeKeyOf(route)}`]),
        '5xx rate API Gateway',
        ...FUNCTION_IDS.flatMap((id) => [`Lambda errors ${id}`, `Lambda throttles ${id}`]),
        // Scheduled: a throttled run waits for the next one, so errors only.
        ...SCHEDULED_FUNCTION_IDS.map((id) => `Lambda errors ${id}`),
        'KMS throttling',
        ...['ledger', 'merchants', 'config', 'delegations'].flatMap((table) => [`DynamoDB throttles ${table}`, `DynamoDB system errors ${table}`]),
        'Verification BAD_SIGNATURE',
        'Verification UNKNOWN_KEY',
        'Verification DELEGATION_REVOKED',
        'Verification DELEGATION_EXPIRED',
        'Settlement decline rate',
        'Stale config served',
      ].sort(),
    );
    const topic = logicalIdOf(app.stateless.monitoring.alarmTopic.topic);
    const alarms = app.statelessTemplate.findResources('AWS::CloudWatch::Alarm');
    expect(Object.keys(alarms)).toHaveLength(names.length);
    for (const [id, resource] of Object.entries(alarms)) {
      expect(resource.Properties, id).toMatchObject({ AlarmActions: [{ Ref: topic }], OKActions: [{ Ref: topic }], TreatMissingData: 'notBreaching' });
      // What happened and what it means, for whoever is paged.
      expect(resource.Properties.AlarmDescription, id).toMatch(/^\S.{60,}$/);
      expect(resource.Properties.AlarmName, id).toBeUndefined();
    }
  });

  it.each(ROUTES.map((route) => [routeKeyOf(route), route] as const))(
    'fire on %s when over 5 % of at least 10 answers are 5xx in 2 of 3 five-minute periods',
    (routeKey, route) => {
      const dimensions = { service: route.functionId, Route: routeKey };
      expect(alarm(`5xx rate ${routeKey}`)).toEqual({
        threshold: 5,
        comparison: ABOVE,
        evaluationPeriods: 3,
        datapointsToAlarm: 2,
        expression: 'IF(whole >= 10, 100 * FILL(part, 0) / whole, 0)',
        metrics: { part: custom('ServerErrors', dimensions), whole: custom('Requests', dimensions) },
      });
    },
  );

  it('fire on a route whose p99 handler time stays over its budget for three periods', () => {
    // Milliseconds, by the function that answers the route.
    const budgets: Record<FunctionId, number> = { settlement: 1500, verification: 1000, config: 1000, jwks: 500 };
    for (const route of ROUTES) {
      const routeKey = routeKeyOf(route);
      expect(alarm(`p99 latency ${routeKey}`), routeKey).toEqual({
        threshold: budgets[route.functionId],
        comparison: ABOVE,
        evaluationPeriods: 3,
        datapointsToAlarm: undefined,
        expression: undefined,
        metrics: { m: custom('Latency', { service: route.functionId, Route: routeKey }, 'p99') },
      });
    }
  });

  it("fire on API Gateway's own 5xx rate of the default stage, which counts answers no function gave", () => {
    const api = { ApiId: logicalIdOf(app.stateless.httpApi.api), Stage: '$default' };
    expect(alarm('5xx rate API Gateway')).toMatchObject({
      threshold: 5,
      comparison: ABOVE,
      evaluationPeriods: 3,
      datapointsToAlarm: 2,
      expression: 'IF(whole >= 10, 100 * FILL(part, 0) / whole, 0)',
      metrics: {
        part: { namespace: 'AWS/ApiGateway', metricName: '5xx', dimensions: api, stat: 'Sum' },
        whole: { namespace: 'AWS/ApiGateway', metricName: 'Count', dimensions: api, stat: 'Sum' },
      },
    });
  });

  it.each(FUNCTION_IDS)('fire on any Lambda error or throttle of %s in five minutes', (functionId) => {
    const fn = { FunctionName: logicalIdOf(app.stateless.functions[functionId]) };
    for (const [name, metricName] of [
      [`Lambda errors ${functionId}`, 'Errors'],
      [`Lambda throttles ${functionId}`, 'Throttles'],
    ] as const) {
      expect(alarm(name), name).toEqual({
        threshold: 1,
        comparison: AT_LEAST,
        evaluationPeriods: 1,
        datapointsToAlarm: undefined,
        expression: undefined,
        metrics: { m: { namespace: 'AWS/Lambda', metricName, dimensions: fn, stat: 'Sum' } },
      });
    }
  });

  it('fire on any KMS throttle reported by any function that may call KMS', () => {
    const kmsCallers = FUNCTION_IDS.filter((functionId) =>
      roleStatementsOf(app, app.stateless.functions[functionId]).some((statement) => [(statement as { Action: string | string[] }).Action].flat().some((action) => action.startsWith('kms:'))),
    );
    expect(kmsCallers.sort()).toEqual(['config', 'jwks', 'settlement', 'verification']);
    const view = alarm('KMS throttling');
    expect(view).toMatchObject({ threshold: 1, comparison: AT_LEAST, evaluationPeriods: 1, expression: `SUM([${Object.keys(view.metrics).join(', ')}])` });
    expect(Object.values(view.metrics).sort((a, b) => String(a.dimensions.service).localeCompare(String(b.dimensions.service)))).toEqual(
      kmsCallers.map((service) => custom('DependencyThrottles', { service, Dependency: 'KMS' })),
    );
  });

  it('fire on any DynamoDB throttle event of a table, and on system errors of every operation the functions may call on it', () => {
    const tables = { ledger: app.stateful.ledgerTable, merchants: app.stateful.merchantTable, config: app.stateful.configTable, delegations: app.stateful.delegationTable };
    const granted = grantedTableOperations();
    for (const [name, table] of Object.entries(tables)) {
      const TableName = logicalIdOf(table);
      expect(alarm(`DynamoDB throttles ${name}`), name).toEqual({
        threshold: 1,
        comparison: AT_LEAST,
        evaluationPeriods: 1,
        datapointsToAlarm: undefined,
        expression: 'SUM([reads, writes])',
        metrics: {
          reads: { namespace: 'AWS/DynamoDB', metricName: 'ReadThrottleEvents', dimensions: { TableName }, stat: 'Sum' },
          writes: { namespace: 'AWS/DynamoDB', metricName: 'WriteThrottleEvents', dimensions: { TableName }, stat: 'Sum' },
        },
      });
      const systemErrors = alarm(`DynamoDB system errors ${name}`);
      expect(systemErrors, name).toMatchObject({ threshold: 1, comparison: AT_LEAST, evaluationPeriods: 3, datapointsToAlarm: 2 });
      expect(systemErrors.expression).toBe(`SUM([${Object.keys(systemErrors.metrics).join(', ')}])`);
      const watched = Object.values(systemErrors.metrics);
      for (const metric of watched) expect(metric).toMatchObject({ namespace: 'AWS/DynamoDB', metricName: 'SystemErrors', dimensions: { TableName }, stat: 'Sum' });
      // The operations granted on the table are the ones watched: a new call unwatched fails here.
      expect(watched.map((metric) => metric.dimensions.Operation).sort(), name).toEqual([...(granted.get(TableName) ?? [])].sort());
    }
  });

  it('fire on 20 or more BAD_SIGNATURE, UNKNOWN_KEY, DELEGATION_REVOKED or DELEGATION_EXPIRED results in five minutes, a static threshold', () => {
    for (const reason of ['BAD_SIGNATURE', 'UNKNOWN_KEY', 'DELEGATION_REVOKED', 'DELEGATION_EXPIRED']) {
      expect(alarm(`Verification ${reason}`), reason).toEqual({
        threshold: 20,
        comparison: AT_LEAST,
        evaluationPeriods: 1,
        datapointsToAlarm: undefined,
        expression: undefined,
        metrics: { m: custom('VerificationResults', { service: 'verification', Reason: reason }) },
      });
    }
  });

  it('fire when stale config is served in two periods in a row, and when over half of 20+ settlements decline', () => {
    expect(alarm('Stale config served')).toEqual({
      threshold: 1,
      comparison: AT_LEAST,
      evaluationPeriods: 2,
      datapointsToAlarm: undefined,
      expression: undefined,
      metrics: { m: custom('StaleConfigServed', { service: 'config' }) },
    });
    const declines = alarm('Settlement decline rate');
    expect(declines).toMatchObject({ threshold: 50, comparison: ABOVE, evaluationPeriods: 3, datapointsToAlarm: 2, expression: 'IF(total >= 20, 100 * FILL(declined, 0) / total, 0)' });
    expect(declines.metrics).toEqual({
      settled: custom('Settlements', { service: 'settlement', Status: 'SETTLED' }),
      declined: custom('Settlements', { service: 'settlement', Status: 'DECLINED' }),
    });
  });

  it('watch custom metrics only with the exact dimension set the functions emit them with', () => {
    const contract: Record<string, string[]> = {
      [METRICS.requests]: ['Route', 'service'],
      [METRICS.latency]: ['Route', 'service'],
      [METRICS.serverErrors]: ['Route', 'service'],
      [METRICS.clientErrors]: ['Route', 'service'],
      [METRICS.verificationResults]: ['Reason', 'service'],
      [METRICS.settlements]: ['Status', 'service'],
      [METRICS.dependencyLatency]: ['Dependency', 'service'],
      [METRICS.dependencyErrors]: ['Dependency', 'service'],
      [METRICS.dependencyThrottles]: ['Dependency', 'service'],
      [METRICS.configCacheHits]: ['service'],
      [METRICS.configCacheMisses]: ['service'],
      [METRICS.staleConfigServed]: ['service'],
    };
    expect(Object.keys(contract).sort()).toEqual(Object.values(METRICS).sort());
    const watched = [...app.stateless.monitoring.alarms.alarms.keys()].flatMap((name) => Object.values(alarm(name).metrics)).filter((metric) => metric.namespace === METRICS_NAMESPACE);
    expect(watched.length).toBeGreaterThan(10);
    for (const metric of watched) {
      expect(Object.keys(metric.dimensions).sort(), metric.metricName).toEqual(contract[metric.metricName]);
      expect(FUNCTION_IDS, metric.metricName).toContain(metric.dimensions.service);
    }
  });
});

describe('the dashboard', () => {
  // The body is JSON text joined from strings and references; readable() joins it into one string.
  const body = () => readable(app.statelessTemplate.toJSON().Resources[logicalIdOf(app.stateless.monitoring.dashboard.dashboard)].Properties.DashboardBody, producerIds) as string;

  it('graphs the SignedPay namespace with every metric of the contract and every route', () => {
    const dashboard = body();
    expect(dashboard).toContain(`"${METRICS_NAMESPACE}"`);
    for (const metricName of Object.values(METRICS)) expect(dashboard, metricName).toContain(`"${metricName}"`);
    for (const route of ROUTES) expect(dashboard).toContain(`"Route","${routeKeyOf(route)}"`);
    for (const reason of ['OK', 'BAD_SIGNATURE', 'UNKNOWN_KEY', 'KEYS_UNAVAILABLE']) expect(dashboard).toContain(`"Reason","${reason}"`);
    for (const status of ['SETTLED', 'DECLINED']) expect(dashboard).toContain(`"Status","${status}"`);
  });

  it("graphs each function's Lambda errors, throttles and duration, each table's DynamoDB throttles and system errors, and every alarm's state", () => {
    const dashboard = body();
    for (const construct of [...FUNCTION_IDS.map((functionId) => app.stateless.functions[functionId]), app.stateless.configRollout.function]) {
      const fn = logicalIdOf(construct);
      for (const metricName of ['Errors', 'Throttles', 'Duration']) expect(dashboard).toContain(`"AWS/Lambda","${metricName}","FunctionName","${fn}"`);
    }
    for (const table of [app.stateful.ledgerTable, app.stateful.merchantTable, app.stateful.configTable, app.stateful.delegationTable]) {
      const tableName = logicalIdOf(table);
      for (const metricName of ['ReadThrottleEvents', 'WriteThrottleEvents']) expect(dashboard).toContain(`"AWS/DynamoDB","${metricName}","TableName","${tableName}"`);
      expect(dashboard).toContain(`MetricName=\\"SystemErrors\\" TableName=\\"${tableName}\\"`);
    }
    for (const alarmConstruct of app.stateless.monitoring.alarms.alarms.values()) expect(dashboard).toContain(`"${logicalIdOf(alarmConstruct)}.Arn"`);
  });

  it('is named by CloudFormation and output with its console address, and the topic with its ARN', () => {
    const dashboard = logicalIdOf(app.stateless.monitoring.dashboard.dashboard);
    expect(app.statelessTemplate.toJSON().Resources[dashboard].Properties.DashboardName).toBeUndefined();
    const outputs = app.statelessTemplate.toJSON().Outputs;
    expect(outputs.DashboardName.Value).toEqual({ Ref: dashboard });
    expect(outputs.AlarmTopicArn.Value).toEqual({ Ref: logicalIdOf(app.stateless.monitoring.alarmTopic.topic) });
    const url = outputs.DashboardUrl.Value['Fn::Join'][1] as unknown[];
    expect(url).toContainEqual({ Ref: dashboard });
    expect(url).toContainEqual({ 'Fn::If': [expect.any(String), 'console.amazonaws.cn', 'console.aws.amazon.com'] });
  });
});

describe('the alarm topic', () => {
  it('is encrypted with a rotated key of its own that only CloudWatch alarms of this account and region may use, and refuses plain HTTP', () => {
    const topic = app.stateless.monitoring.alarmTopic.topic;
    const template = app.statelessTemplate.toJSON().Resources;
    const keyId = template[logicalIdOf(topic)].Properties.KmsMasterKeyId['Fn::GetAtt'][0] as string;
    expect(template[keyId].Properties.EnableKeyRotation).toBe(true);
    const ourAlarms = {
      StringEquals: { 'aws:SourceAccount': 'AWS::AccountId' },
      ArnLike: { 'aws:SourceArn': 'arn:AWS::Partition:cloudwatch:AWS::Region:AWS::AccountId:alarm:*' },
    };
    // The account administers it without using it: only CloudWatch can publish to the topic.
    expect(readable(template[keyId].Properties.KeyPolicy.Statement, [])).toEqual([
      { Sid: 'AccountAdministersWithoutUsing', Effect: 'Allow', Principal: { AWS: 'arn:AWS::Partition:iam::AWS::AccountId:root' }, Action: [...KEY_ADMIN_ACTIONS], Resource: '*' },
      {
        Sid: 'CloudWatchAlarmsPublishToTheTopic',
        Effect: 'Allow',
        Principal: { Service: 'cloudwatch.amazonaws.com' },
        Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        Resource: '*',
        Condition: ourAlarms,
      },
    ]);
    const [policy] = Object.values(app.statelessTemplate.findResources('AWS::SNS::TopicPolicy', { Properties: { Topics: [{ Ref: logicalIdOf(topic) }] } }));
    const statements = readable(policy!.Properties.PolicyDocument.Statement, []) as unknown[];
    expect(statements).toContainEqual(expect.objectContaining({ Effect: 'Deny', Action: 'sns:Publish', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }));
    expect(statements).toContainEqual({
      Sid: 'CloudWatchAlarmsPublish',
      Effect: 'Allow',
      Principal: { Service: 'cloudwatch.amazonaws.com' },
      Action: 'sns:Publish',
      Resource: logicalIdOf(topic),
      Condition: ourAlarms,
    });
  });

  it('has no subscription unless the context names some', () => {
    app.statelessTemplate.resourceCountIs('AWS::SNS::Subscription', 0);
  });

  it(
    'subscribes what alarmSubscriptions names, and synthesizes with nothing for cdk-nag to report',
    () => {
      const subscribed = synthesize({ alarmSubscriptions: ['email:ops@example.com', 'https://hooks.example.com/alarms?team=pay'] });
      const topic = logicalIdOf(subscribed.stateless.monitoring.alarmTopic.topic);
      const subscriptions = Object.values(subscribed.statelessTemplate.findResources('AWS::SNS::Subscription')).map((resource) => resource.Properties);
      expect(subscriptions).toEqual(
        expect.arrayContaining([
          { Protocol: 'email', Endpoint: 'ops@example.com', TopicArn: { Ref: topic } },
          { Protocol: 'https', Endpoint: 'https://hooks.example.com/alarms?team=pay', TopicArn: { Ref: topic } },
        ]),
      );
      expect(subscriptions).toHaveLength(2);
      const directory = subscribed.app.synth().directory;
      const report = ['validation-report.json', 'policy-validation-report.json'].map((name) => join(directory, name)).find((path) => existsSync(path));
      const violations = report ? (JSON.parse(readFileSync(report, 'utf8')) as { pluginReports: { violations?: unknown[] }[] }).pluginReports.flatMap((plugin) => plugin.violations ?? []) : [];
      expect(violations).toEqual([]);
    },
    SYNTH_TIMEOUT_MS,
  );

  it('names each subscription by what it is, so removing one leaves the others (and their confirmations) alone', () => {
    const idsOf = (entries: string[]) => {
      const stack = new Stack(new App(), 'Probe');
      const { alarmSubscriptions } = parseDeploymentContext((key) => (key === 'alarmSubscriptions' ? entries : undefined));
      const topic = new AlarmTopic(stack, 'AlarmTopic', { subscriptions: alarmSubscriptions });
      return topic.node.children.map((child) => child.node.id).filter((id) => id.startsWith('Subscription'));
    };
    const both = idsOf(['email:a@example.com', 'email:b@example.com']);
    expect(both).toHaveLength(2);
    expect(idsOf(['email:b@example.com'])).toEqual([both[1]]);
  });
});

describe('the alarmSubscriptions context', () => {
  const parse = (alarmSubscriptions: unknown) => parseDeploymentContext((key) => (key === 'alarmSubscriptions' ? alarmSubscriptions : undefined)).alarmSubscriptions;

  it('takes email, https, sms, sqs and lambda endpoints, as a JSON list or as -c delivers it', () => {
    expect(parse(undefined)).toEqual([]);
    expect(
      parse([
        'email:ops@example.com',
        'https://hooks.example.com/x',
        'sms:+15555550100',
        'sqs:arn:aws:sqs:eu-west-1:123456789012:alarms',
        'lambda:arn:aws:lambda:eu-west-1:123456789012:function:pager:live',
      ]),
    ).toEqual([
      { protocol: SubscriptionProtocol.EMAIL, endpoint: 'ops@example.com' },
      { protocol: SubscriptionProtocol.HTTPS, endpoint: 'https://hooks.example.com/x' },
      { protocol: SubscriptionProtocol.SMS, endpoint: '+15555550100' },
      { protocol: SubscriptionProtocol.SQS, endpoint: 'arn:aws:sqs:eu-west-1:123456789012:alarms' },
      { protocol: SubscriptionProtocol.LAMBDA, endpoint: 'arn:aws:lambda:eu-west-1:123456789012:function:pager:live' },
    ]);
    expect(parse('email:ops@example.com, sms:+15555550100')).toHaveLength(2);
    expect(parse('["https://hooks.example.com/a,b"]')).toEqual([{ protocol: SubscriptionProtocol.HTTPS, endpoint: 'https://hooks.example.com/a,b' }]);
  });

  it('refuses, by position and with the forms allowed, an entry that is not a subscription we can deliver to', () => {
    expect(() => parse(['email:ops@example.com', 'smtp:ops@example.com'])).toThrow(
      "Invalid CDK context: alarmSubscriptions.1: 'smtp:ops@example.com' is not a subscription: use email:<address>, https://<url>, sms:<+E.164 number>, sqs:<queue ARN> or lambda:<function ARN>",
    );
    expect(() => parse(['ops@example.com'])).toThrow(/alarmSubscriptions\.0: 'ops@example.com' is not a subscription/);
    expect(() => parse(['http://hooks.example.com/x'])).toThrow(/alarmSubscriptions\.0: 'http:\/\/hooks.example.com\/x' is not a subscription/);
    expect(() => parse(['email:ops'])).toThrow(/alarmSubscriptions\.0: email:ops: not an email address/);
    expect(() => parse(['sms:5555550100'])).toThrow(/alarmSubscriptions\.0: sms:5555550100: not a phone number in E.164 form/);
    expect(() => parse(['sqs:arn:aws:sqs:eu-west-1:123456789012:alarms.fifo'])).toThrow(/not the ARN of a standard SQS queue/);
    expect(() => parse(['lambda:arn:aws:sqs:eu-west-1:123456789012:alarms'])).toThrow(/not the ARN of a Lambda function/);
    expect(() => parse(['email:ops@example.com', 'email:ops@example.com'])).toThrow(/alarmSubscriptions: each subscription may be named once/);
  });

  it(
    'fails synth with that message',
    () => {
      expect(() => buildApp({ ...WITHOUT_BUNDLING, alarmSubscriptions: ['pager:ops'] })).toThrow(/Invalid CDK context: alarmSubscriptions\.0: 'pager:ops' is not a subscription/);
    },
    SYNTH_TIMEOUT_MS,
  );
});
