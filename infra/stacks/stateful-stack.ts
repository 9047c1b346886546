import { CfnOutput, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import { AttributeType, Billing, TableEncryptionV2, TableV2, type ITableV2, type Attribute } from 'aws-cdk-lib/aws-dynamodb';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { Construct } from 'constructs';
import { PaymentSigningKeys } from '../constructs/payment-signing-keys.js';
import { PublicKeyJwks } from '../constructs/public-key-jwks.js';
import { newSigningKey } from '../constructs/signing-key.js';

/** ARNs of the roles the signing keys' policies allow; see `signingKeyPolicy`. */
export interface SigningKeyRoles {
  paymentSigner: string;
  paymentPublicKeyReaders: readonly string[];
  verdictSigner: string;
  verdictPublicKeyReaders: readonly string[];
  configSigner: string;
  configPublicKeyReaders: readonly string[];
}

export interface StatefulStackProps extends StackProps {
  /** Trusted payment-key generations, current first, from the payment-key record (see PaymentSigningKeys). */
  paymentKeyGenerations: readonly string[];
  /** Role ARNs of the stateless stack's functions, named in advance (see infra/function-roles.ts). */
  signingKeyRoles: SigningKeyRoles;
}

/**
 * Everything that holds state: signing keys and tables. Deployed rarely, retained always,
 * and handed to the stateless stack as typed props, so functions and the API can be torn
 * down and rebuilt without touching a key or a record.
 */
export class StatefulStack extends Stack {
  /** Keys that sign payment responses: the current one and every trusted one. */
  readonly paymentKeys: { current: IKey; trusted: readonly IKey[]; trustedPublicJwks: readonly string[] };
  /** Signs verification verdicts; never trusted for payment responses. */
  readonly verdictKey: IKey;
  /** The verdict key's public half: a JWK JSON string resolved at deploy time. */
  readonly verdictPublicJwk: string;
  /** Signs configuration answers; never trusted for payment responses or verdicts. */
  readonly configKey: IKey;
  /** The config key's public half: a JWK JSON string resolved at deploy time. */
  readonly configPublicJwk: string;
  /** One record per payment, keyed by `paymentId`; also settlement's idempotency record. */
  readonly ledgerTable: ITableV2;
  /** The merchant registry, `pk` only: merchants and the callers allowed to settle for them. */
  readonly merchantTable: ITableV2;
  /** Country configuration, `pk` + `sk`. */
  readonly configTable: ITableV2;
  /**
   * The registry of delegated signing keys, `pk` + `sk`, each item's `pk` beginning with its scope
   * (`<typ>#`); items expire by `expiresAt`. Made in either signing mode: verifiers keep reading it
   * after a switch back to `kms`, while tokens of delegated keys are still checked.
   */
  readonly delegationTable: ITableV2;

  constructor(scope: Construct, id: string, props: StatefulStackProps) {
    super(scope, id, props);
    const roles = props.signingKeyRoles;

    // Before the keys: their policies let its reader read their public halves.
    const publicKeyJwks = new PublicKeyJwks(this, 'PublicKeyJwks');
    const paymentKeys = new PaymentSigningKeys(this, 'PaymentSigningKeys', {
      generations: props.paymentKeyGenerations,
      signerRoleArn: roles.paymentSigner,
      publicKeyReaderRoleArns: roles.paymentPublicKeyReaders,
      publicKeyJwks,
    });
    this.paymentKeys = { current: paymentKeys.current, trusted: paymentKeys.trusted, trustedPublicJwks: paymentKeys.trustedPublicJwks };
    this.verdictKey = newSigningKey(this, 'VerdictSigningKey', {
      description: 'Signs verification verdicts',
      alias: `alias/${this.stackName}-verdict-signing`,
      users: { signer: roles.verdictSigner, publicKeyReaders: [...roles.verdictPublicKeyReaders, publicKeyJwks.readerRoleArn] },
    });
    this.verdictPublicJwk = publicKeyJwks.jwkOf(this.verdictKey, 'VerdictPublicJwk');
    this.configKey = newSigningKey(this, 'ConfigSigningKey', {
      description: 'Signs configuration answers',
      alias: `alias/${this.stackName}-config-signing`,
      users: { signer: roles.configSigner, publicKeyReaders: [...roles.configPublicKeyReaders, publicKeyJwks.readerRoleArn] },
    });
    this.configPublicJwk = publicKeyJwks.jwkOf(this.configKey, 'ConfigPublicJwk');

    this.ledgerTable = retainedTable(this, 'LedgerTable', { partitionKey: { name: 'paymentId', type: AttributeType.STRING } });
    keepForOneRelease(this);
    this.merchantTable = retainedTable(this, 'MerchantTable', { partitionKey: { name: 'pk', type: AttributeType.STRING } });
    this.configTable = retainedTable(this, 'ConfigTable', {
      partitionKey: { name: 'pk', type: AttributeType.STRING },
      sortKey: { name: 'sk', type: AttributeType.STRING },
    });
    this.delegationTable = retainedTable(this, 'DelegationTable', {
      partitionKey: { name: 'pk', type: AttributeType.STRING },
      sortKey: { name: 'sk', type: AttributeType.STRING },
      timeToLiveAttribute: 'expiresAt',
    });

    new CfnOutput(this, 'CurrentPaymentSigningKeyArn', { value: paymentKeys.current.keyArn });
    new CfnOutput(this, 'CurrentPaymentSigningKeyId', { value: paymentKeys.current.keyId });
    new CfnOutput(this, 'VerdictSigningKeyArn', { value: this.verdictKey.keyArn });
    new CfnOutput(this, 'VerdictSigningKeyId', { value: this.verdictKey.keyId });
    new CfnOutput(this, 'ConfigSigningKeyArn', { value: this.configKey.keyArn });
    new CfnOutput(this, 'ConfigSigningKeyId', { value: this.configKey.keyId });
    // Operators manage merchants and configuration with the CLI against these tables.
    new CfnOutput(this, 'MerchantTableName', { value: this.merchantTable.tableName });
    new CfnOutput(this, 'ConfigTableName', { value: this.configTable.tableName });
    // Operators revoke delegated keys with the CLI against this table.
    new CfnOutput(this, 'DelegationTableName', { value: this.delegationTable.tableName });
  }
}

/**
 * The Powertools idempotency table of earlier releases, kept for one release and used by nothing:
 * a stateless stack deployed before the ledger became settlement's one idempotency store imports
 * its name and ARN, and CloudFormation refuses to remove an export another stack still imports,
 * so dropping it would fail the first `cdk deploy --all` of an upgrade. This release keeps the
 * table and its two exports; the stateless stack stops importing them; the next release deletes
 * this function (the table itself is retained in the account either way).
 */
function keepForOneRelease(stack: Stack): void {
  const legacy = retainedTable(stack, 'IdempotencyTable', {
    partitionKey: { name: 'id', type: AttributeType.STRING },
    timeToLiveAttribute: 'expiration',
  });
  stack.exportValue(legacy.tableName);
  stack.exportValue(legacy.tableArn);
}

function retainedTable(scope: Construct, id: string, keys: { partitionKey: Attribute; sortKey?: Attribute; timeToLiveAttribute?: string }): TableV2 {
  return new TableV2(scope, id, {
    ...keys,
    billing: Billing.onDemand(),
    pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
    deletionProtection: true,
    // An AWS managed key instead of DynamoDB's owned key: every use of it shows in CloudTrail.
    encryption: TableEncryptionV2.awsManagedKey(),
    removalPolicy: RemovalPolicy.RETAIN,
  });
}
