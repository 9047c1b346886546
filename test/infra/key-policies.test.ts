import { beforeAll, describe, expect, it } from 'vitest';
import { KEY_ADMIN_ACTIONS } from '../../infra/constructs/signing-key-policy.js';
import { auditKeyPolicy, auditSigningKeyAccess, type KeyUseIntent, type TemplateJson } from './support/key-access-audit.js';
import { JWT_ROTATING_TRACED, SYNTH_TIMEOUT_MS, logicalIdOf, readable, synthesize, type SynthesizedApp } from './support/synth.js';

// Who is meant to use which key, from the app's objects; the audit then reads only templates.
function intentOf(app: SynthesizedApp): KeyUseIntent {
  const role = (functionId: 'settlement' | 'jwks' | 'verification' | 'config') => logicalIdOf(app.stateless.functions[functionId].role!);
  const [current, ...previous] = app.stateful.paymentKeys.trusted.map((key) => logicalIdOf(key));
  // The deploy-time reader of public keys (a custom resource's function in the keys' own stack).
  const deployTimeReader = logicalIdOf(app.stateful.node.findChild('PublicKeyJwks').node.findChild('ReaderRole'));
  const paymentReaders = [role('jwks'), role('verification'), deployTimeReader];
  return {
    [current!]: { signer: role('settlement'), publicKeyReaders: paymentReaders },
    ...Object.fromEntries(previous.map((keyId) => [keyId, { publicKeyReaders: paymentReaders }])),
    [logicalIdOf(app.stateful.verdictKey)]: { signer: role('verification'), publicKeyReaders: [role('jwks'), deployTimeReader] },
    [logicalIdOf(app.stateful.configKey)]: { signer: role('config'), publicKeyReaders: [role('jwks'), deployTimeReader] },
  };
}

const templatesOf = (app: SynthesizedApp) => ({
  stateful: app.statefulTemplate.toJSON() as TemplateJson,
  stateless: app.statelessTemplate.toJSON() as TemplateJson,
});

const deployments: [string, Record<string, unknown>][] = [
  ['the default deployment', {}],
  ['a JWT-authorized, mid-rotation, traced deployment', JWT_ROTATING_TRACED],
];
const apps = new Map<string, SynthesizedApp>();
beforeAll(() => {
  for (const [name, context] of deployments) apps.set(name, synthesize(context));
}, SYNTH_TIMEOUT_MS);

describe.each(deployments.map(([name]) => name))('the signing keys of %s', (name) => {
  it('can be signed with only by the intended role, read only by the intended roles, and by nobody on account-wide IAM alone', () => {
    const app = apps.get(name)!;
    const { stateful, stateless } = templatesOf(app);
    expect(auditSigningKeyAccess(stateful, stateless, intentOf(app))).toEqual([]);
  });

  it('have exactly our policy: account administration without use, then Sign and GetPublicKey for named roles', () => {
    const app = apps.get(name)!;
    const keys = app.statefulTemplate.findResources('AWS::KMS::Key');
    expect(Object.keys(keys)).toHaveLength(app.stateful.paymentKeys.trusted.length + 2);
    const signing = [app.stateful.paymentKeys.current, app.stateful.verdictKey, app.stateful.configKey].map((key) => logicalIdOf(key));
    for (const [keyId, key] of Object.entries(keys)) {
      const statements = (readable(key.Properties.KeyPolicy, []) as { Statement: { Sid: string }[] }).Statement;
      // A CDK default statement (account root: kms:*) added on top would show up here.
      expect(statements.map((statement) => statement.Sid), keyId).toEqual([
        'AccountAdministersWithoutUsing',
        ...(signing.includes(keyId) ? ['OnlyTheSignerRoleSigns'] : []),
        'ReaderRolesGetThePublicKey',
      ]);
      expect(statements[0]).toEqual({
        Sid: 'AccountAdministersWithoutUsing',
        Effect: 'Allow',
        Principal: { AWS: 'arn:AWS::Partition:iam::AWS::AccountId:root' },
        Action: [...KEY_ADMIN_ACTIONS],
        Resource: '*',
      });
      expect(KEY_ADMIN_ACTIONS.filter((action) => /\*|Sign|Verify|GetPublicKey|CreateGrant/.test(action))).toEqual([]);
    }
  });

  it('name in their conditions the very roles the stateless stack creates, and the deploy-time public key reader', () => {
    const app = apps.get(name)!;
    const conditionArns = Object.values(app.statefulTemplate.findResources('AWS::KMS::Key')).flatMap((key) =>
      (readable(key.Properties.KeyPolicy, []) as { Statement: { Condition?: { ArnEquals: { 'aws:PrincipalArn': string | string[] } } }[] }).Statement.flatMap(
        (statement) => [statement.Condition?.ArnEquals['aws:PrincipalArn'] ?? []].flat(),
      ),
    );
    const roleNames = ['settlement', 'jwks', 'verification', 'config'].map((functionId) => {
      const role = app.stateless.functions[functionId as 'settlement'].role!;
      return readable(app.statelessTemplate.toJSON().Resources[logicalIdOf(role)].Properties.RoleName, []);
    });
    expect(roleNames).toEqual([
      'SignedPayStateless-settlement-AWS::Region',
      'SignedPayStateless-jwks-AWS::Region',
      'SignedPayStateless-verification-AWS::Region',
      'SignedPayStateless-config-AWS::Region',
    ]);
    const deployTimeReader = `${logicalIdOf(app.stateful.node.findChild('PublicKeyJwks').node.findChild('ReaderRole'))}.Arn`;
    expect(new Set(conditionArns)).toEqual(
      new Set([...roleNames.map((roleName) => `arn:AWS::Partition:iam::AWS::AccountId:role/${roleName}`), deployTimeReader]),
    );
  });
});

describe('the key access audit', () => {
  const root = { AWS: 'arn:AWS::Partition:iam::AWS::AccountId:root' };
  const settlementArn = 'arn:AWS::Partition:iam::AWS::AccountId:role/SignedPayStateless-settlement-AWS::Region';
  const otherArn = 'arn:AWS::Partition:iam::AWS::AccountId:role/Intruder';
  const meant = { 'kms:Sign': [settlementArn], 'kms:Verify': [], 'kms:GetPublicKey': [], 'kms:CreateGrant': [] };
  const onlySettlement = { ArnEquals: { 'aws:PrincipalArn': settlementArn } };
  const policy = (...statements: object[]) => ({ Statement: [{ Effect: 'Allow', Principal: root, Action: 'kms:Sign', Resource: '*', Condition: onlySettlement }, ...statements] });

  it('accepts a policy that lets only the signer role sign', () => {
    expect(auditKeyPolicy('Key', policy(), meant)).toEqual([]);
  });

  it.each([
    ['CDK’s default: kms:* for the account root', { Effect: 'Allow', Principal: root, Action: 'kms:*', Resource: '*' }],
    ['kms:Sign* for the account root', { Effect: 'Allow', Principal: root, Action: ['kms:Describe*', 'kms:Sign*'], Resource: '*' }],
    ['"*" for anyone', { Effect: 'Allow', Principal: '*', Action: '*', Resource: '*' }],
    ['NotAction that leaves Sign in', { Effect: 'Allow', Principal: root, NotAction: 'kms:Decrypt', Resource: '*' }],
    ['Sign for another role', { Effect: 'Allow', Principal: root, Action: 'kms:Sign', Resource: '*', Condition: { ArnEquals: { 'aws:PrincipalArn': otherArn } } }],
    ['Sign for a role pattern', { Effect: 'Allow', Principal: root, Action: 'kms:Sign', Resource: '*', Condition: { ArnLike: { 'aws:PrincipalArn': `${settlementArn.slice(0, -5)}*` } } }],
    ['Sign if the condition key is missing', { Effect: 'Allow', Principal: root, Action: 'kms:Sign', Resource: '*', Condition: { ArnEqualsIfExists: { 'aws:PrincipalArn': settlementArn } } }],
    ['Sign to a role named as principal', { Effect: 'Allow', Principal: { AWS: otherArn }, Action: 'kms:Sign', Resource: '*' }],
    ['GetPublicKey for the account root (the old kms:Get*)', { Effect: 'Allow', Principal: root, Action: 'kms:Get*', Resource: '*' }],
    ['CreateGrant for the account root', { Effect: 'Allow', Principal: root, Action: 'kms:CreateGrant', Resource: '*' }],
  ])('reports %s in a key policy', (_name, statement) => {
    expect(auditKeyPolicy('Key', policy(statement), meant)).not.toEqual([]);
  });

  it('reports a signer the key policy forgets', () => {
    expect(auditKeyPolicy('Key', { Statement: [] }, meant)).toEqual([`key Key: does not allow kms:Sign to ${settlementArn}`]);
  });

  it.each([
    ['kms:Sign on "*"', { Action: 'kms:Sign', Resource: '*' }, 'SettlementRole'],
    ['kms:* on the key', { Action: 'kms:*', Resource: { 'Fn::GetAtt': ['Key', 'Arn'] } }, 'JwksRole'],
    ['kms:Sign on a previous key', { Action: 'kms:Sign', Resource: { 'Fn::GetAtt': ['OldKey', 'Arn'] } }, 'SettlementRole'],
    ['kms:GetPublicKey on "*"', { Action: 'kms:GetPublicKey', Resource: '*' }, 'JwksRole'],
  ])('reports %s in an IAM policy', (_name, grant, roleId) => {
    const stateful: TemplateJson = { Resources: {} };
    const stateless: TemplateJson = {
      Resources: {
        Policy: { Type: 'AWS::IAM::Policy', Properties: { Roles: [{ Ref: roleId }], PolicyDocument: { Statement: [{ Effect: 'Allow', ...grant }] } } },
      },
    };
    const intent: KeyUseIntent = { Key: { signer: 'SettlementRole', publicKeyReaders: ['JwksRole'] }, OldKey: { publicKeyReaders: ['JwksRole'] } };
    expect(auditSigningKeyAccess(stateful, stateless, intent).filter((finding) => finding.startsWith('AWS::IAM::Policy'))).not.toEqual([]);
  });
});
