import { Fn } from 'aws-cdk-lib';
import type { IAlarm } from 'aws-cdk-lib/aws-cloudwatch';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { Effect, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { DelegationScope } from '../../shared/domain/delegation/delegation.js';
import type { DeploymentContext } from '../context.js';
import type { BindTarget } from './api-function.js';

/**
 * Each helper gives a function one resource: it sets the environment variable the handler
 * parses and grants exactly the API calls the handler makes with it, together, so the two
 * cannot drift apart. Actions are listed one by one: the `grant*Data` helpers of CDK include
 * Scan, batch writes and DescribeTable, which no handler of ours needs.
 */

/**
 * Settlement: the ledger is its one idempotency store. Every write is conditional and on one
 * item: put a pending record, update it (take over an expired lock, complete, unlock), or
 * delete a pending record it releases so a retry starts over; reads answer replays.
 */
export function bindLedgerForWrite(fn: BindTarget<'LEDGER_TABLE_NAME'>, ledger: ITableV2): void {
  fn.setEnvironment('LEDGER_TABLE_NAME', ledger.tableName);
  allowItemActions(fn, ledger, ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem']);
}

/** Verification: looks a payment up by id to check it was settled as claimed. */
export function bindLedgerForRead(fn: BindTarget<'LEDGER_TABLE_NAME'>, ledger: ITableV2): void {
  fn.setEnvironment('LEDGER_TABLE_NAME', ledger.tableName);
  allowItemActions(fn, ledger, ['dynamodb:GetItem']);
}

/** Settlement: looks up the caller's merchant by key; merchants are managed outside the API. */
export function bindMerchantRegistryForRead(fn: BindTarget<'MERCHANT_TABLE_NAME'>, merchants: ITableV2): void {
  fn.setEnvironment('MERCHANT_TABLE_NAME', merchants.tableName);
  allowItemActions(fn, merchants, ['dynamodb:GetItem']);
}

/** Country configuration: point reads and queries within one partition; never a scan. */
export function bindConfigForRead(fn: BindTarget<'CONFIG_TABLE_NAME'>, config: ITableV2): void {
  fn.setEnvironment('CONFIG_TABLE_NAME', config.tableName);
  allowItemActions(fn, config, ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query']);
}

/**
 * The rollout driver: lists the running rollouts (Query of the `ROLLOUTS` partition), reads a
 * layer's pointer and versions (GetItem), saves each step of a rollout and, at its end, moves the
 * layer's `CURRENT` pointer (PutItem; every write a conditional single-item put). No UpdateItem (no
 * write of the driver is one), no BatchGetItem, no DeleteItem, no scan. No `dynamodb:LeadingKeys`
 * condition: the driver writes the `ROLLOUTS` partition and the pointer of any layer (`LAYER#…`),
 * which is all the table holds, so a condition would confine nothing while tying the role to the
 * store's key layout (a new prefix would fail as AccessDenied on AWS only, never locally).
 */
export function bindConfigForRollout(fn: BindTarget<'CONFIG_TABLE_NAME'>, config: ITableV2): void {
  fn.setEnvironment('CONFIG_TABLE_NAME', config.tableName);
  allowItemActions(fn, config, ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:PutItem']);
}

/**
 * The rollout driver reads which of these alarms are in ALARM (by name) and rolls a running rollout
 * back when one is. Resource "*": the driver asks for metric and composite alarms, and DescribeAlarms
 * returns composite alarms only to a caller allowed on "*". A read of alarm states, nothing more.
 */
export function bindRolloutAlarms(fn: BindTarget<'ROLLOUT_ALARM_NAMES'>, alarms: readonly IAlarm[]): void {
  if (alarms.length === 0) throw new Error('bindRolloutAlarms needs at least one alarm: a rollout nobody watches never rolls back');
  fn.setEnvironment('ROLLOUT_ALARM_NAMES', Fn.join(',', alarms.map((alarm) => alarm.alarmName)));
  fn.addToRolePolicy(new PolicyStatement({ actions: ['cloudwatch:DescribeAlarms'], resources: ['*'] }));
}

/** Settlement signs payment responses with the current payment key, and with no other key. */
export function bindPaymentSigner(fn: BindTarget<'PAYMENT_SIGNING_KEY_ARN'>, currentKey: IKey): void {
  fn.setEnvironment('PAYMENT_SIGNING_KEY_ARN', currentKey.keyArn);
  fn.addToRolePolicy(new PolicyStatement({ actions: ['kms:Sign'], resources: [currentKey.keyArn] }));
}

/**
 * The payment keys that signatures are checked against, current first: their ARNs (the trust
 * set) and their public halves read at deploy time, so the function checks signatures without
 * KMS. GetPublicKey stays allowed for a member whose public half the configuration lacks.
 */
export function bindTrustedPaymentKeys(
  fn: BindTarget<'TRUSTED_PAYMENT_KEY_ARNS' | 'TRUSTED_PAYMENT_PUBLIC_KEYS'>,
  paymentKeys: { trusted: readonly IKey[]; trustedPublicJwks: readonly string[] },
): void {
  if (paymentKeys.trusted.length === 0) throw new Error('bindTrustedPaymentKeys needs at least one key');
  const arns = paymentKeys.trusted.map((key) => key.keyArn);
  fn.setEnvironment('TRUSTED_PAYMENT_KEY_ARNS', arns.join(','));
  fn.setEnvironment('TRUSTED_PAYMENT_PUBLIC_KEYS', `[${paymentKeys.trustedPublicJwks.join(',')}]`);
  fn.addToRolePolicy(new PolicyStatement({ actions: ['kms:GetPublicKey'], resources: arns }));
}

/** JWKS: publishes the verdict key's public half (read at deploy time) so clients can check verdicts. */
export function bindVerdictKeyForPublishing(fn: BindTarget<'VERDICT_SIGNING_KEY_ARN' | 'VERDICT_PUBLIC_KEY'>, verdictKey: IKey, verdictPublicJwk: string): void {
  fn.setEnvironment('VERDICT_SIGNING_KEY_ARN', verdictKey.keyArn);
  fn.setEnvironment('VERDICT_PUBLIC_KEY', verdictPublicJwk);
  fn.addToRolePolicy(new PolicyStatement({ actions: ['kms:GetPublicKey'], resources: [verdictKey.keyArn] }));
}

/**
 * Verification signs its verdicts with a key of their own: a verdict can never be mistaken
 * for a payment response, and the verification function can never sign one.
 */
export function bindVerdictSigner(fn: BindTarget<'VERDICT_SIGNING_KEY_ARN'>, verdictKey: IKey): void {
  fn.setEnvironment('VERDICT_SIGNING_KEY_ARN', verdictKey.keyArn);
  fn.addToRolePolicy(new PolicyStatement({ actions: ['kms:Sign'], resources: [verdictKey.keyArn] }));
}

/**
 * Config signs its answers with a key of their own: a configuration answer can never be mistaken
 * for a payment response or a verdict, and the config function can sign neither.
 */
export function bindConfigSigner(fn: BindTarget<'CONFIG_SIGNING_KEY_ARN'>, configKey: IKey): void {
  fn.setEnvironment('CONFIG_SIGNING_KEY_ARN', configKey.keyArn);
  fn.addToRolePolicy(new PolicyStatement({ actions: ['kms:Sign'], resources: [configKey.keyArn] }));
}

/** JWKS: publishes the config key's public half (read at deploy time) so apps can check configuration answers. */
export function bindConfigKeyForPublishing(fn: BindTarget<'CONFIG_SIGNING_KEY_ARN' | 'CONFIG_PUBLIC_KEY'>, configKey: IKey, configPublicJwk: string): void {
  fn.setEnvironment('CONFIG_SIGNING_KEY_ARN', configKey.keyArn);
  fn.setEnvironment('CONFIG_PUBLIC_KEY', configPublicJwk);
  fn.addToRolePolicy(new PolicyStatement({ actions: ['kms:GetPublicKey'], resources: [configKey.keyArn] }));
}

/**
 * A function that signs in delegated mode registers each delegation it makes (PutItem) and reads
 * its scope's revocation list (Query, GetItem): on items of its own scope only, so settlement's
 * role cannot register a key for verdicts, nor verification's one for payment responses. No
 * UpdateItem or DeleteItem: revoking is the operators' CLI's, and expiry DynamoDB's (TTL).
 */
export function bindDelegationSigner(fn: BindTarget<'DELEGATION_TABLE_NAME'>, registry: ITableV2, scope: DelegationScope): void {
  fn.setEnvironment('DELEGATION_TABLE_NAME', registry.tableName);
  allowItemActions(fn, registry, ['dynamodb:PutItem', 'dynamodb:GetItem', 'dynamodb:Query'], [scope]);
  // Only operators revoke, and nothing un-revokes: a function (or whoever holds its credentials)
  // may not write the revocation list, whatever else it may write in its scope.
  fn.addToRolePolicy(
    new PolicyStatement({
      effect: Effect.DENY,
      actions: ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem'],
      resources: [registry.tableArn],
      conditions: { 'ForAnyValue:StringEquals': { 'dynamodb:LeadingKeys': [`${scope}#revoked`] } },
    }),
  );
}

/**
 * A verifier queries the live and revoked lists of these scopes and, with `getByKid`, gets a
 * delegation by kid (verification does; the JWKS only lists); it never writes.
 */
export function bindDelegationReader(
  fn: BindTarget<'DELEGATION_TABLE_NAME'>,
  registry: ITableV2,
  scopes: readonly DelegationScope[],
  { getByKid }: { getByKid: boolean },
): void {
  if (scopes.length === 0) throw new Error('bindDelegationReader needs at least one scope');
  fn.setEnvironment('DELEGATION_TABLE_NAME', registry.tableName);
  allowItemActions(fn, registry, getByKid ? ['dynamodb:GetItem', 'dynamodb:Query'] : ['dynamodb:Query'], scopes);
}

export type SigningSettings = Pick<DeploymentContext, 'signingMode' | 'delegationLifetimeSeconds' | 'delegationRetentionHours'>;

/**
 * How a function that signs tokens of `scope` signs. Every setting is set in either mode, so the
 * template says which mode a function runs in; only delegated mode makes it a delegation signer.
 * Its kms:Sign grant is the same in both: a delegation is signed by the same key as the tokens.
 */
export function bindSigningMode(
  fn: BindTarget<'SIGNING_MODE' | 'DELEGATION_LIFETIME_SECONDS' | 'DELEGATION_RETENTION_HOURS' | 'DELEGATION_TABLE_NAME'>,
  settings: SigningSettings,
  registry: ITableV2,
  scope: DelegationScope,
): void {
  fn.setEnvironment('SIGNING_MODE', settings.signingMode);
  fn.setEnvironment('DELEGATION_LIFETIME_SECONDS', String(settings.delegationLifetimeSeconds));
  fn.setEnvironment('DELEGATION_RETENTION_HOURS', String(settings.delegationRetentionHours));
  if (settings.signingMode === 'delegated') bindDelegationSigner(fn, registry, scope);
}

/**
 * `scopes`, when given, confine the statement to items whose partition key begins with one of
 * them and `#` (every registry item's does): `dynamodb:LeadingKeys` holds the partition keys a
 * GetItem, PutItem or Query names, and every one must match.
 */
function allowItemActions(fn: BindTarget<never>, table: ITableV2, actions: string[], scopes?: readonly DelegationScope[]): void {
  // The table ARN alone: no index ARNs, because no handler queries an index.
  const conditions = scopes && { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': scopes.map((scope) => `${scope}#*`) } };
  fn.addToRolePolicy(new PolicyStatement({ actions, resources: [table.tableArn], conditions }));
}
