import { readable } from './synth.js';

/**
 * An independent reading of who may use the signing keys, from the synthesized templates
 * alone: key policies on one side, IAM policies on the other. It knows nothing of how the
 * app builds them, so it also catches a policy someone adds by hand or a CDK default that
 * creeps back in. Every problem is returned as a sentence; an empty list means sound.
 */

export interface TemplateJson {
  Resources?: Record<string, { Type: string; Properties?: Record<string, unknown> }>;
}

/**
 * Per KMS key (logical id in the stateful template): the roles meant to use it, as logical ids
 * of roles in the stateless template (named in advance) or in the stateful one (referenced).
 */
export type KeyUseIntent = Record<string, { signer?: string; publicKeyReaders: readonly string[] }>;

interface Statement {
  Sid?: string;
  Effect?: string;
  Action?: string | string[];
  NotAction?: string | string[];
  Resource?: unknown;
  NotResource?: unknown;
  Principal?: unknown;
  NotPrincipal?: unknown;
  Condition?: Record<string, Record<string, unknown>>;
}

// Sign and Verify use the private key's authority; GetPublicKey is a use too; CreateGrant
// would let its holder hand any of them to someone the key policy never names.
const USE_ACTIONS = ['kms:Sign', 'kms:Verify', 'kms:GetPublicKey', 'kms:CreateGrant'] as const;
type UseAction = (typeof USE_ACTIONS)[number];

export function auditSigningKeyAccess(stateful: TemplateJson, stateless: TemplateJson, intent: KeyUseIntent): string[] {
  const findings: string[] = [];
  const roleArns = roleArnsOf(stateless, findings);
  // A role of the keys' own stack is named in their policies by reference: readable() shows `<id>.Arn`.
  for (const [roleId] of resourcesOf(stateful, 'AWS::IAM::Role')) roleArns.set(roleId, `${roleId}.Arn`);
  const arnOfRole = (roleId: string) => roleArns.get(roleId) ?? `<role ${roleId} has no RoleName>`;

  for (const [name, template] of [['stateful', stateful], ['stateless', stateless]] as const) {
    for (const [keyId, key] of resourcesOf(template, 'AWS::KMS::Key')) {
      // An encryption key (the alarm topic's) cannot sign anything: this audit is about signing authority.
      if ((key as { Properties?: { KeyUsage?: string } }).Properties?.KeyUsage !== 'SIGN_VERIFY') continue;
      const meant = intent[keyId];
      if (!meant || name !== 'stateful') {
        findings.push(`${name} key ${keyId}: not a signing key this audit knows; who may use it is unchecked`);
        continue;
      }
      const allowed: Record<UseAction, string[]> = {
        'kms:Sign': meant.signer ? [arnOfRole(meant.signer)] : [],
        'kms:Verify': [],
        'kms:GetPublicKey': meant.publicKeyReaders.map(arnOfRole),
        'kms:CreateGrant': [],
      };
      findings.push(...auditKeyPolicy(keyId, key.Properties?.KeyPolicy, allowed));
    }
  }
  const statefulKeys = new Set(resourcesOf(stateful, 'AWS::KMS::Key').map(([keyId]) => keyId));
  for (const keyId of Object.keys(intent)) if (!statefulKeys.has(keyId)) findings.push(`key ${keyId}: meant to exist, not in the stateful template`);
  findings.push(...auditIamPolicies(stateful, stateless, intent));
  return findings;
}

/** One key policy: who it lets use the key, against who is meant to. */
export function auditKeyPolicy(keyId: string, policy: unknown, allowed: Record<UseAction, string[]>): string[] {
  const findings: string[] = [];
  const granted = new Map<UseAction, Set<string>>(USE_ACTIONS.map((action) => [action, new Set()]));
  for (const statement of statementsOf(readable(policy, []))) {
    const where = `key ${keyId}, statement ${statement.Sid ?? JSON.stringify(statement.Action ?? statement.NotAction)}`;
    if (statement.Effect !== 'Allow') continue;
    if (statement.NotPrincipal !== undefined) findings.push(`${where}: Allow with NotPrincipal lets in everyone not listed`);
    for (const action of USE_ACTIONS.filter((use) => allows(statement, use))) {
      const principals = effectivePrincipals(statement);
      if (principals.kind === 'unrestricted') {
        findings.push(`${where}: allows ${action} to ${principals.who}`);
        continue;
      }
      for (const arn of principals.arns) {
        granted.get(action)!.add(arn);
        if (!allowed[action].includes(arn)) findings.push(`${where}: allows ${action} to ${arn}, which is not meant to have it`);
      }
    }
  }
  // The other direction: a meant use the policy forgets would fail at run time.
  for (const action of USE_ACTIONS) {
    for (const arn of allowed[action]) if (!granted.get(action)!.has(arn)) findings.push(`key ${keyId}: does not allow ${action} to ${arn}`);
  }
  return findings;
}

/** IAM side: kms:Sign only for a key's signer role on that key; no kms action on "*". */
function auditIamPolicies(stateful: TemplateJson, stateless: TemplateJson, intent: KeyUseIntent): string[] {
  const findings: string[] = [];
  const keyIds = Object.keys(stateful.Resources ?? {});
  for (const template of [stateful, stateless]) {
    for (const { where, roles, others, statement } of iamStatementsOf(template)) {
      if (statement.Effect !== 'Allow') continue;
      const touchesKms = allowsSomeKmsAction(statement);
      const resources = [readable(statement.Resource, keyIds)].flat();
      if (touchesKms && (statement.NotResource !== undefined || resources.includes('*'))) {
        findings.push(`${where}: grants kms actions on every resource`);
      }
      if (!allows(statement, 'kms:Sign')) continue;
      if (others.length > 0) findings.push(`${where}: grants kms:Sign to ${others.join(', ')}`);
      for (const role of roles) {
        const signable = Object.entries(intent)
          .filter(([, meant]) => meant.signer === role)
          .map(([keyId]) => `${keyId}.Arn`);
        const stray = resources.filter((resource) => typeof resource !== 'string' || !signable.includes(resource));
        if (stray.length > 0) findings.push(`${where}: lets role ${role} sign with ${JSON.stringify(stray)}`);
      }
    }
  }
  return findings;
}

function roleArnsOf(stateless: TemplateJson, findings: string[]): Map<string, string> {
  const arns = new Map<string, string>();
  for (const [roleId, role] of resourcesOf(stateless, 'AWS::IAM::Role')) {
    const name = readable(role.Properties?.RoleName, []);
    if (typeof name === 'string') arns.set(roleId, `arn:AWS::Partition:iam::AWS::AccountId:role/${name}`);
    else if (name !== undefined) findings.push(`role ${roleId}: RoleName ${JSON.stringify(name)} cannot be read`);
  }
  return arns;
}

type Principals = { kind: 'roles'; arns: string[] } | { kind: 'unrestricted'; who: string };

/**
 * Whom a statement really lets in. The account root (or "*") is narrowed only by an exact
 * `aws:PrincipalArn` condition; a wildcard, an IfExists or ForAnyValue form does not count.
 */
function effectivePrincipals(statement: Statement): Principals {
  const exact = exactPrincipalArnCondition(statement.Condition);
  if (exact) return { kind: 'roles', arns: exact };
  const principal = statement.Principal;
  if (principal === '*' || typeof principal !== 'object' || principal === null) return { kind: 'unrestricted', who: JSON.stringify(principal) };
  const entries = Object.entries(principal as Record<string, unknown>);
  const aws = entries.length === 1 && entries[0]![0] === 'AWS' ? [entries[0]![1]].flat() : undefined;
  if (!aws || !aws.every((arn) => typeof arn === 'string' && /:role\/[^*?]+$/.test(arn))) {
    return { kind: 'unrestricted', who: `${JSON.stringify(principal)} with no exact aws:PrincipalArn condition` };
  }
  return { kind: 'roles', arns: aws as string[] };
}

function exactPrincipalArnCondition(condition: Statement['Condition']): string[] | undefined {
  for (const operator of ['ArnEquals', 'StringEquals']) {
    const entry = Object.entries(condition?.[operator] ?? {}).find(([key]) => key.toLowerCase() === 'aws:principalarn');
    const values = entry && [entry[1]].flat();
    if (values?.length && values.every((value) => typeof value === 'string' && !/[*?]/.test(value))) return values as string[];
  }
  return undefined;
}

/** Does the statement's Action (or NotAction) admit this concrete action? */
function allows(statement: Statement, action: string): boolean {
  const matches = (patterns: unknown) => [patterns ?? []].flat().some((pattern) => globToRegExp(String(pattern)).test(action));
  return statement.NotAction !== undefined ? !matches(statement.NotAction) : matches(statement.Action);
}

// Enough to tell whether a pattern or a NotAction list lets any kms action through.
const KMS_ACTION_SAMPLE = [...USE_ACTIONS, 'kms:Decrypt', 'kms:DescribeKey', 'kms:PutKeyPolicy'];

function allowsSomeKmsAction(statement: Statement): boolean {
  const named = [statement.Action ?? []].flat().some((action) => String(action).toLowerCase().startsWith('kms:'));
  return named || KMS_ACTION_SAMPLE.some((action) => allows(statement, action));
}

function globToRegExp(glob: string): RegExp {
  const body = glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${body}$`, 'i');
}

function statementsOf(document: unknown): Statement[] {
  const statements = (document as { Statement?: unknown } | undefined)?.Statement;
  return [statements ?? []].flat() as Statement[];
}

function resourcesOf(template: TemplateJson, type: string) {
  return Object.entries(template.Resources ?? {}).filter(([, resource]) => resource.Type === type);
}

/** Statements of identity policies: standalone, managed and inline in roles, with whom they attach to. */
function iamStatementsOf(template: TemplateJson) {
  const refs = (value: unknown) => [value ?? []].flat().map((item) => readable(item, []));
  const found: { where: string; roles: string[]; others: string[]; statement: Statement }[] = [];
  const add = (where: string, roles: unknown[], others: unknown[], document: unknown) => {
    for (const statement of statementsOf(document)) {
      found.push({ where, roles: roles.map(String), others: others.map(String), statement: statement });
    }
  };
  for (const type of ['AWS::IAM::Policy', 'AWS::IAM::ManagedPolicy']) {
    for (const [id, policy] of resourcesOf(template, type)) {
      const props = policy.Properties ?? {};
      add(`${type} ${id}`, refs(props.Roles), [...refs(props.Users), ...refs(props.Groups)], props.PolicyDocument);
    }
  }
  for (const [id, role] of resourcesOf(template, 'AWS::IAM::Role')) {
    for (const inline of [role.Properties?.Policies ?? []].flat() as { PolicyDocument?: unknown }[]) {
      add(`inline policy of role ${id}`, [id], [], inline.PolicyDocument);
    }
  }
  return found;
}
