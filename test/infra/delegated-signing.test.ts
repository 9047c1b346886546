import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, readFileSync, readdirSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ENV_CONTRACTS } from '../../functions/env-contracts.js';
import { DEPENDENCIES_OF } from '../../infra/constructs/operations-metrics.js';
import { PAYMENT_KEY_RECORD_FILE } from '../../infra/payment-key-record.js';
import { REPOSITORY_ROOT } from '../../infra/project-root.js';
import { delegatedModeNeedsRegistry, signingModeEnvShape } from '../../shared/lambda-env/delegation-env.js';
import { FUNCTION_IDS, type FunctionId } from '../../shared/routes.js';
import * as z from '../../shared/zod.js';
import { auditSigningKeyAccess, type KeyUseIntent, type TemplateJson } from './support/key-access-audit.js';
import { MID_ROTATION_RECORD } from './support/payment-key-records.js';
import { SYNTH_TIMEOUT_MS, environmentOf, logicalIdOf, readable, roleStatementsOf, synthesize, type SynthesizedApp } from './support/synth.js';

// Issue 13: `signingMode: delegated` signs with per-container keys that the same KMS keys certify.
// Delegated mode must add no signing authority, confine each function to its scope's registry
// items, and keep the registry (and its readers) in both modes, so a switch strands no token.

const DEPLOYMENTS = {
  kms: {},
  delegated: { signingMode: 'delegated', delegationLifetimeMinutes: 15 },
  'delegated, mid-rotation': { signingMode: 'delegated', paymentKeyRecord: MID_ROTATION_RECORD },
} as const satisfies Record<string, Record<string, unknown>>;
type Deployment = keyof typeof DEPLOYMENTS;
const MODES = ['kms', 'delegated'] as const satisfies readonly Deployment[];

const apps = {} as Record<Deployment, SynthesizedApp>;
beforeAll(() => {
  for (const deployment of Object.keys(DEPLOYMENTS) as Deployment[]) apps[deployment] = synthesize(DEPLOYMENTS[deployment]);
}, SYNTH_TIMEOUT_MS);

interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: Record<string, Record<string, unknown>>;
}

const roleOf = (app: SynthesizedApp, functionId: FunctionId) => logicalIdOf(app.stateless.functions[functionId].role!);
const delegationTableArn = (app: SynthesizedApp) => `${logicalIdOf(app.stateful.delegationTable)}.Arn`;
const glob = (pattern: string) => new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`);
const namesAction = (statement: Statement, action: string) => [statement.Action].flat().some((pattern) => glob(pattern).test(action));
const allowsAction = (statement: Statement, action: string) => statement.Effect === 'Allow' && namesAction(statement, action);

/** Every IAM policy statement of both templates, readable, with the roles (logical ids) it is attached to. */
function iamStatements(app: SynthesizedApp): { roles: string[]; statement: Statement }[] {
  const producerIds = Object.keys(app.statefulTemplate.toJSON().Resources as object);
  return [app.statefulTemplate, app.statelessTemplate].flatMap((template) =>
    Object.values(template.findResources('AWS::IAM::Policy')).flatMap((policy) => {
      const roles = (policy.Properties.Roles as unknown[]).map((role) => String(readable(role, [])));
      return (readable(policy.Properties.PolicyDocument.Statement, producerIds) as Statement[]).map((statement) => ({ roles, statement }));
    }),
  );
}

/** Per role: the resources its IAM policies let it kms:Sign with. */
function kmsSignGrants(app: SynthesizedApp): Record<string, string[]> {
  const grants: Record<string, string[]> = {};
  for (const { roles, statement } of iamStatements(app).filter(({ statement }) => allowsAction(statement, 'kms:Sign'))) {
    for (const role of roles) grants[role] = [...(grants[role] ?? []), ...[statement.Resource].flat().map(String)].sort();
  }
  return grants;
}

/** Who is meant to use which key (as in key-policies.test.ts); the audit then reads only templates. */
function intentOf(app: SynthesizedApp): KeyUseIntent {
  const [current, ...previous] = app.stateful.paymentKeys.trusted.map((key) => logicalIdOf(key));
  const deployTimeReader = logicalIdOf(app.stateful.node.findChild('PublicKeyJwks').node.findChild('ReaderRole'));
  const paymentReaders = [roleOf(app, 'jwks'), roleOf(app, 'verification'), deployTimeReader];
  return {
    [current!]: { signer: roleOf(app, 'settlement'), publicKeyReaders: paymentReaders },
    ...Object.fromEntries(previous.map((keyId) => [keyId, { publicKeyReaders: paymentReaders }])),
    [logicalIdOf(app.stateful.verdictKey)]: { signer: roleOf(app, 'verification'), publicKeyReaders: [roleOf(app, 'jwks'), deployTimeReader] },
    [logicalIdOf(app.stateful.configKey)]: { signer: roleOf(app, 'config'), publicKeyReaders: [roleOf(app, 'jwks'), deployTimeReader] },
  };
}

describe('kms:Sign', () => {
  it.each(Object.keys(DEPLOYMENTS) as Deployment[])(
    'is allowed, in the %s deployment, by key policy and IAM alike to settlement with the current payment key, to verification with the verdict key and to config with the config key, to nobody else',
    (deployment) => {
      const app = apps[deployment];
      expect(auditSigningKeyAccess(app.statefulTemplate.toJSON() as TemplateJson, app.statelessTemplate.toJSON() as TemplateJson, intentOf(app))).toEqual([]);
      expect(kmsSignGrants(app)).toEqual({
        [roleOf(app, 'settlement')]: [`${logicalIdOf(app.stateful.paymentKeys.current)}.Arn`],
        [roleOf(app, 'verification')]: [`${logicalIdOf(app.stateful.verdictKey)}.Arn`],
        [roleOf(app, 'config')]: [`${logicalIdOf(app.stateful.configKey)}.Arn`],
      });
    },
  );

  it('is granted exactly alike in kms and delegated mode: a delegation is signed by the same key as the tokens', () => {
    expect(kmsSignGrants(apps.delegated)).toEqual(kmsSignGrants(apps.kms));
  });
});

// Partition keys a function could name, by what they are: every registry item's begins with its scope and '#'.
const PAYMENT_ITEMS = ['payment-response+jwt#kid', 'payment-response+jwt#live', 'payment-response+jwt#revoked'];
const VERDICT_ITEMS = ['verification-result+jwt#kid', 'verification-result+jwt#live', 'verification-result+jwt#revoked'];
const OTHER_ITEMS = ['payment-response+jwt', 'payment-response+jwtx#kid', 'config#kid', '#live'];
const ACTIONS = ['GetItem', 'Query', 'PutItem', 'UpdateItem', 'DeleteItem', 'Scan', 'BatchGetItem', 'BatchWriteItem', 'TransactWriteItems', 'DescribeTable'];

/**
 * Whether a function's role may call `action` on the registry item with partition key `pk`,
 * read from its statements: an Allow without a condition allows every item, one with
 * `ForAllValues:StringLike` on `dynamodb:LeadingKeys` the items one of its patterns matches; a
 * Deny with `ForAnyValue:StringEquals` on it takes away the items it names.
 */
function mayCall(app: SynthesizedApp, functionId: FunctionId, action: string, pk: string): boolean {
  const table = delegationTableArn(app);
  const matching = (roleStatementsOf(app, app.stateless.functions[functionId]) as Statement[])
    .filter((statement) => namesAction(statement, `dynamodb:${action}`))
    .filter((statement) => [statement.Resource].flat().some((resource) => typeof resource === 'string' && glob(resource).test(table)));
  const denied = matching
    .filter((statement) => statement.Effect === 'Deny')
    .some((statement) => {
      expect(Object.keys(statement.Condition ?? {}), 'a deny condition this reading does not know').toEqual(['ForAnyValue:StringEquals']);
      return [statement.Condition!['ForAnyValue:StringEquals']!['dynamodb:LeadingKeys']].flat().includes(pk);
    });
  return (
    !denied &&
    matching
      .filter((statement) => statement.Effect !== 'Deny')
      .some((statement) => {
        if (statement.Condition === undefined) return true;
        expect(Object.keys(statement.Condition), 'a condition this reading does not know').toEqual(['ForAllValues:StringLike']);
        expect(Object.keys(statement.Condition['ForAllValues:StringLike']!)).toEqual(['dynamodb:LeadingKeys']);
        return [statement.Condition['ForAllValues:StringLike']!['dynamodb:LeadingKeys']].flat().some((pattern) => glob(String(pattern)).test(pk));
      })
  );
}

function registryAccess(app: SynthesizedApp, functionId: FunctionId): Record<string, string[]> {
  const access = ACTIONS.map((action) => [action, [...PAYMENT_ITEMS, ...VERDICT_ITEMS, ...OTHER_ITEMS].filter((pk) => mayCall(app, functionId, action, pk))] as const);
  return Object.fromEntries(access.filter(([, keys]) => keys.length > 0));
}

const readsOf = (...items: string[][]) => ({ GetItem: items.flat(), Query: items.flat() });
const notRevocations = (pk: string) => !pk.endsWith('#revoked');

describe.each(MODES)('the delegation registry in %s mode', (mode) => {
  const expected: Record<(typeof MODES)[number], Record<FunctionId, Record<string, string[]>>> = {
    kms: {
      settlement: {},
      // Payment responses of delegated keys stay checkable after a switch back to kms.
      verification: readsOf(PAYMENT_ITEMS),
      // Root keys only: jwks loads no AWS SDK in kms mode.
      jwks: {},
      config: {},
    },
    delegated: {
      // Never the revocation list: only operators revoke, and nothing un-revokes.
      settlement: { GetItem: PAYMENT_ITEMS, Query: PAYMENT_ITEMS, PutItem: PAYMENT_ITEMS.filter(notRevocations) },
      verification: { ...readsOf(PAYMENT_ITEMS, VERDICT_ITEMS), PutItem: VERDICT_ITEMS.filter(notRevocations) },
      // The JWKS only lists: no delegation by kid.
      jwks: { Query: [...PAYMENT_ITEMS, ...VERDICT_ITEMS] },
      config: {},
    },
  };

  it.each(FUNCTION_IDS)('lets %s call exactly the item actions of its part, on the items of its scopes only', (functionId) => {
    const access = registryAccess(apps[mode], functionId);
    const want = expected[mode][functionId];
    expect(Object.keys(access).sort()).toEqual(Object.keys(want).sort());
    for (const [action, keys] of Object.entries(want)) expect(access[action], action).toEqual(keys);
  });

  it('never lets jwks write, verification register a payment-response key, or settlement touch verdict items', () => {
    const app = apps[mode];
    for (const pk of [...PAYMENT_ITEMS, ...VERDICT_ITEMS]) expect(mayCall(app, 'jwks', 'PutItem', pk), pk).toBe(false);
    for (const pk of PAYMENT_ITEMS) expect(mayCall(app, 'verification', 'PutItem', pk), pk).toBe(false);
    for (const action of ACTIONS) for (const pk of VERDICT_ITEMS) expect(mayCall(app, 'settlement', action, pk), `${action} ${pk}`).toBe(false);
  });

  it('is granted to function roles only, each statement confined by dynamodb:LeadingKeys to whole scopes', () => {
    const app = apps[mode];
    const table = delegationTableArn(app);
    const onTable = iamStatements(app).filter(({ statement }) => JSON.stringify(statement.Resource).includes(table.replace(/\.Arn$/, '')));
    const functionRoles = FUNCTION_IDS.map((functionId) => roleOf(app, functionId));
    expect(onTable.length).toBeGreaterThan(0);
    for (const { roles, statement } of onTable) {
      expect(roles.every((role) => functionRoles.includes(role)), roles.join()).toBe(true);
      expect(statement.Resource).toBe(table);
      if (statement.Effect === 'Deny') {
        expect(statement.Condition).toEqual({ 'ForAnyValue:StringEquals': { 'dynamodb:LeadingKeys': [expect.stringMatching(/^(payment-response|verification-result)\+jwt#revoked$/)] } });
        continue;
      }
      expect(statement.Condition).toEqual({
        'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': expect.arrayContaining([expect.stringMatching(/^(payment-response|verification-result)\+jwt#\*$/)]) },
      });
      for (const pattern of statement.Condition!['ForAllValues:StringLike']!['dynamodb:LeadingKeys'] as string[]) {
        expect(['payment-response+jwt#*', 'verification-result+jwt#*']).toContain(pattern);
      }
    }
  });

  it("has its system-error alarm watch exactly the operations the functions' roles may call on it", () => {
    const app = apps[mode];
    const granted = new Set(FUNCTION_IDS.flatMap((functionId) => Object.keys(registryAccess(app, functionId))));
    const alarm = app.stateless.monitoring.alarms.alarms.get('DynamoDB system errors delegations')!;
    const metrics = app.statelessTemplate.toJSON().Resources[logicalIdOf(alarm)].Properties.Metrics as { MetricStat?: { Metric: { Dimensions: { Name: string; Value: unknown }[] } } }[];
    const watched = metrics.flatMap((query) => query.MetricStat?.Metric.Dimensions.filter((dimension) => dimension.Name === 'Operation').map((dimension) => dimension.Value) ?? []);
    expect(watched.sort()).toEqual([...granted].sort());
    expect(app.stateless.monitoring.alarms.alarms.has('DynamoDB throttles delegations')).toBe(true);
  });

  it('has every function that reads or writes it graphed with its DynamoDB calls on the dashboard', () => {
    const app = apps[mode];
    for (const functionId of FUNCTION_IDS.filter((id) => Object.keys(registryAccess(app, id)).length > 0)) {
      expect(DEPENDENCIES_OF[functionId], functionId).toContain('DynamoDB');
    }
  });
});

const DELEGATION_VARIABLES = ['SIGNING_MODE', 'DELEGATION_LIFETIME_SECONDS', 'DELEGATION_RETENTION_HOURS', 'DELEGATION_TABLE_NAME', 'DELEGATION_REVOCATION_CHECK_SECONDS'];
const delegationEnvOf = (app: SynthesizedApp, functionId: FunctionId) =>
  Object.fromEntries(Object.entries(environmentOf(app, app.stateless.functions[functionId])).filter(([name]) => DELEGATION_VARIABLES.includes(name)));
// Delegations are kept as long as the checked-in payment-key record keeps receipts verifiable.
const receiptVerifiableHours = String((JSON.parse(readFileSync(join(REPOSITORY_ROOT, PAYMENT_KEY_RECORD_FILE), 'utf8')) as { receiptVerifiableHours: number }).receiptVerifiableHours);

/**
 * A function's environment as its handler would parse it after deployment: our key ARNs stood in
 * for by sample ARNs with the key's logical id, public keys read at deploy time left out (each
 * is optional: the handler then reads them from KMS), everything else as the template has it.
 */
function deployedEnvironment(app: SynthesizedApp, functionId: FunctionId): Record<string, string> {
  const entries = Object.entries(environmentOf(app, app.stateless.functions[functionId])).flatMap(([name, value]) => {
    expect(typeof value, `${functionId} ${name} is resolved at deploy time only`).toBe('string');
    const text = value as string;
    if (text.includes('.Jwk')) return [];
    const keyIds = text.split(',').map((part) => /^(\w+)\.Arn$/.exec(part)?.[1]);
    if (keyIds.every((keyId) => keyId !== undefined)) return [[name, keyIds.map((keyId) => `arn:aws:kms:eu-west-1:123456789012:key/${keyId}`).join(',')]];
    return [[name, text]];
  });
  return Object.fromEntries(entries);
}

describe('the functions’ environment', () => {
  it('in kms mode: settlement and verification sign with KMS, and the verifiers know the registry', () => {
    const app = apps.kms;
    const table = logicalIdOf(app.stateful.delegationTable);
    const signing = { SIGNING_MODE: 'kms', DELEGATION_LIFETIME_SECONDS: '3600', DELEGATION_RETENTION_HOURS: receiptVerifiableHours };
    expect(delegationEnvOf(app, 'settlement')).toEqual(signing);
    expect(delegationEnvOf(app, 'verification')).toEqual({ ...signing, DELEGATION_TABLE_NAME: table });
    expect(delegationEnvOf(app, 'jwks')).toEqual({ SIGNING_MODE: 'kms' });
    expect(delegationEnvOf(app, 'config')).toEqual({});
  });

  it('in delegated mode: both signers sign with delegated keys of the chosen lifetime, kept as long as receipts are, registered in the registry', () => {
    const app = apps.delegated;
    const table = logicalIdOf(app.stateful.delegationTable);
    const signing = { SIGNING_MODE: 'delegated', DELEGATION_LIFETIME_SECONDS: '900', DELEGATION_RETENTION_HOURS: receiptVerifiableHours, DELEGATION_TABLE_NAME: table };
    expect(delegationEnvOf(app, 'settlement')).toEqual(signing);
    expect(delegationEnvOf(app, 'verification')).toEqual(signing);
    expect(delegationEnvOf(app, 'jwks')).toEqual({ SIGNING_MODE: 'delegated', DELEGATION_TABLE_NAME: table });
    expect(delegationEnvOf(app, 'config')).toEqual({});
  });

  it.each(MODES)('in %s mode satisfies every handler’s whole environment contract, deploy-time values stood in for', (mode) => {
    for (const functionId of FUNCTION_IDS) {
      const parsed = ENV_CONTRACTS[functionId].safeParse(deployedEnvironment(apps[mode], functionId));
      expect(parsed.error?.issues ?? [], functionId).toEqual([]);
    }
  });

  it.each(MODES)('in %s mode passes the delegation rules of the signers’ environment contracts', (mode) => {
    const rules = z.object(signingModeEnvShape).check(delegatedModeNeedsRegistry);
    for (const functionId of ['settlement', 'verification'] as const) {
      const parsed = rules.safeParse(delegationEnvOf(apps[mode], functionId));
      expect(parsed.success, `${functionId}: ${JSON.stringify(parsed.error?.issues)}`).toBe(true);
      expect(parsed.data?.SIGNING_MODE).toBe(mode);
    }
  });
});

describe('the delegation table', () => {
  it.each(MODES)('exists in %s mode: pk and sk strings, expiring by expiresAt, retained and protected like every table, unnamed, and output', (mode) => {
    const app = apps[mode];
    const id = logicalIdOf(app.stateful.delegationTable);
    const resource = app.statefulTemplate.toJSON().Resources[id];
    expect(resource).toMatchObject({
      Type: 'AWS::DynamoDB::GlobalTable',
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: {
        BillingMode: 'PAY_PER_REQUEST',
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        AttributeDefinitions: [
          { AttributeName: 'pk', AttributeType: 'S' },
          { AttributeName: 'sk', AttributeType: 'S' },
        ],
        TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
        SSESpecification: { SSEEnabled: true, SSEType: 'KMS' },
        Replicas: [{ DeletionProtectionEnabled: true, PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } }],
      },
    });
    expect(resource.Properties.TableName).toBeUndefined();
    expect(app.statefulTemplate.toJSON().Outputs.DelegationTableName.Value).toEqual({ Ref: id });
    // Strongly referenced: CloudFormation refuses to delete the table while a function uses it.
    expect(JSON.stringify(app.statelessTemplate.toJSON())).toMatch(new RegExp(`"Fn::ImportValue":"[^"]*${id}`));
  });

  it('is untouched by a switch of mode: the stateful stack is the same in both', () => {
    expect(apps.delegated.statefulTemplate.toJSON()).toEqual(apps.kms.statefulTemplate.toJSON());
  });
});

describe('the delegated deployment', () => {
  it('synthesizes with nothing for cdk-nag to report', { timeout: SYNTH_TIMEOUT_MS }, () => {
    const directory = apps.delegated.app.synth().directory;
    const report = ['validation-report.json', 'policy-validation-report.json'].map((name) => join(directory, name)).find((path) => existsSync(path));
    const violations = report ? (JSON.parse(readFileSync(report, 'utf8')) as { pluginReports: { violations?: unknown[] }[] }).pluginReports.flatMap((plugin) => plugin.violations ?? []) : [];
    expect(violations).toEqual([]);
  });

  // As synth.test.ts does for the other deployments: required under CI, skipped with a notice elsewhere.
  const cfnLint = findOnPath('cfn-lint');
  if (!cfnLint && process.env.CI !== 'true') console.warn('cfn-lint not found on PATH: skipping the CloudFormation lint of the delegated deployment');
  it.runIf(cfnLint !== undefined || process.env.CI === 'true')('gives cfn-lint nothing to report', { timeout: SYNTH_TIMEOUT_MS }, () => {
    expect(cfnLint, 'cfn-lint on PATH (required when CI=true)').toBeDefined();
    const directory = apps.delegated.app.synth().directory;
    const templates = readdirSync(directory).filter((file) => file.endsWith('.template.json')).map((file) => join(directory, file));
    expect(templates).toHaveLength(2);
    // W3005: CDK puts the execution role in a function's DependsOn besides its GetAtt (see synth.test.ts).
    const lint = spawnSync(cfnLint!, ['--format', 'json', '--ignore-checks', 'W3005', '--', ...templates], { encoding: 'utf8' });
    expect(lint.error).toBeUndefined();
    expect(lint.stderr).toBe('');
    expect(JSON.parse(lint.stdout)).toEqual([]);
    expect(lint.status).toBe(0);
  });
});

function findOnPath(command: string): string | undefined {
  for (const directory of (process.env.PATH ?? '').split(delimiter).filter(Boolean)) {
    try {
      accessSync(join(directory, command), constants.X_OK);
      return join(directory, command);
    } catch {
      // not in this directory
    }
  }
  return undefined;
}
