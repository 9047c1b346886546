import { AccountRootPrincipal, PolicyDocument, PolicyStatement } from 'aws-cdk-lib/aws-iam';

/** Who may use a signing key, beyond administering it: ARNs of function execution roles. */
export interface SigningKeyUsers {
  /** The one role that may sign; none for a key still trusted but no longer signing. */
  signer?: string;
  /** The roles that may read the public half. */
  publicKeyReaders: readonly string[];
}

/**
 * Everything the account may do to a signing key except use it. Listed one by one: the
 * wildcards of CDK's default policies match uses too (`kms:*` includes Sign, `kms:Get*`
 * GetPublicKey). CreateGrant is left out: a grant would hand kms:Sign to any principal
 * without this policy showing it. PutKeyPolicy stays: KMS refuses a policy that locks the
 * account out of changing it, so an administrator can still rewrite this policy, and that
 * is a PutKeyPolicy event in CloudTrail rather than a silent IAM grant.
 */
export const KEY_ADMIN_ACTIONS = [
  'kms:DescribeKey',
  'kms:GetKeyPolicy',
  'kms:ListKeyPolicies',
  'kms:PutKeyPolicy',
  // Asymmetric keys cannot rotate, but CloudFormation's key handler may still read or set it.
  'kms:GetKeyRotationStatus',
  'kms:EnableKeyRotation',
  'kms:DisableKeyRotation',
  'kms:ListResourceTags',
  'kms:TagResource',
  'kms:UntagResource',
  'kms:UpdateKeyDescription',
  'kms:EnableKey',
  'kms:DisableKey',
  'kms:CreateAlias',
  'kms:UpdateAlias',
  'kms:DeleteAlias',
  'kms:ListGrants',
  'kms:RevokeGrant',
  'kms:ScheduleKeyDeletion',
  'kms:CancelKeyDeletion',
] as const;

/**
 * The whole key policy of a signing key. With CDK's default policy (account root: kms:*)
 * any principal of the account whose IAM policy allows kms:Sign on "*" could mint payment
 * responses; here the key policy itself names the one role that may sign.
 *
 * Use is granted to the account root conditioned on `aws:PrincipalArn` rather than to the
 * role as principal: KMS rejects a policy naming a principal that does not exist yet, and
 * the roles are created after the keys, in the stack that depends on this one. A condition
 * is not checked for existence. The caller's IAM policy must still allow the call too, as
 * it does for every root-principal statement, so both sides have to agree.
 *
 * What the condition cannot tell apart is a new role of the same name: a role principal
 * would be bound to the role's unique id, a name is not. Creating that role needs the
 * stateless stack's role gone and IAM administrator rights, which could as well rewrite
 * this policy.
 */
export function signingKeyPolicy(users: SigningKeyUsers): PolicyDocument {
  const account = new AccountRootPrincipal();
  // "*" in a key policy means this key.
  const statement = (sid: string, actions: readonly string[], roleArns?: readonly string[]) =>
    new PolicyStatement({
      sid,
      principals: [account],
      actions: [...actions],
      resources: ['*'],
      ...(roleArns ? { conditions: { ArnEquals: { 'aws:PrincipalArn': roleArns.length === 1 ? roleArns[0] : [...roleArns] } } } : {}),
    });

  const statements = [statement('AccountAdministersWithoutUsing', KEY_ADMIN_ACTIONS)];
  if (users.signer) statements.push(statement('OnlyTheSignerRoleSigns', ['kms:Sign'], [users.signer]));
  if (users.publicKeyReaders.length > 0) {
    statements.push(statement('ReaderRolesGetThePublicKey', ['kms:GetPublicKey'], users.publicKeyReaders));
  }
  return new PolicyDocument({ statements });
}
