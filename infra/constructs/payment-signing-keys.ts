import { CrossStackReferences, ReferenceStrength, Stack } from 'aws-cdk-lib';
import { Alias, type IKey } from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import type { PublicKeyJwks } from './public-key-jwks.js';
import { newSigningKey } from './signing-key.js';

export interface PaymentSigningKeysProps {
  /** Trusted generations, current first, from the payment-key record; validated by the deployment context. */
  generations: readonly string[];
  /** The role that signs payment responses: allowed kms:Sign on the current generation only. */
  signerRoleArn: string;
  /** The roles that read the public halves of every trusted generation. */
  publicKeyReaderRoleArns: readonly string[];
  /** Reads each generation's public half at deploy time, for verifiers' configuration. */
  publicKeyJwks: PublicKeyJwks;
}

/**
 * The payment-response signing keys, one KMS key per generation. KMS cannot rotate
 * asymmetric keys, so rotation is a deployment of the generations the checked-in payment-key
 * record trusts (infra/payment-key-record.ts, edited with `npm run keys`):
 *
 * 1. `["2","1"]` adds generation 2 and makes it current: settlement signs with it, while
 *    verifiers still trust 1 for responses signed before the switch.
 * 2. `["2"]`, once no response signed by 1 needs checking (its retirement window, see
 *    infra/key-retirement.ts, or forced): 1 is no longer trusted. Its key
 *    leaves the template but is retained in the account (RemovalPolicy.RETAIN), so old
 *    signatures can still be examined by hand; schedule its deletion in KMS if wanted.
 *
 * Only the current generation's key policy allows kms:Sign: step 1 takes Sign away from
 * the old key, which step 2 then retains without it. (Going straight from ["1"] to ["2"]
 * would retain key 1 with the Sign statement it last had; settlement's IAM policy no longer
 * allows it, but the two steps do not rely on that.)
 *
 * A key's logical id comes from its generation, so generations that stay in the list are
 * never replaced. The stateless stack reads these keys' ARNs through weak references
 * (Fn::GetStackOutput, not an export): with an export, step 2 would fail because
 * CloudFormation keeps an export alive while another stack imports it, and retiring a key
 * would take two ordered deployments. Its functions keep working in between because a
 * retired key still exists.
 */
export class PaymentSigningKeys extends Construct {
  /** The key settlement signs with. */
  readonly current: IKey;
  /** Keys whose signatures verifiers accept, current first. */
  readonly trusted: readonly IKey[];
  /** The public halves of `trusted`, in the same order: JWK JSON strings resolved at deploy time. */
  readonly trustedPublicJwks: readonly string[];

  constructor(scope: Construct, id: string, props: PaymentSigningKeysProps) {
    super(scope, id);
    const stackName = Stack.of(this).stackName;
    this.trusted = props.generations.map((generation, index) =>
      newSigningKey(this, `Generation${generation}`, {
        description: `Signs payment responses (generation ${generation})`,
        alias: `alias/${stackName}-payment-signing-${generation}`,
        users: {
          ...(index === 0 ? { signer: props.signerRoleArn } : {}),
          publicKeyReaders: [...props.publicKeyReaderRoleArns, props.publicKeyJwks.readerRoleArn],
        },
      }),
    );
    for (const key of this.trusted) CrossStackReferences.of(key).produce(ReferenceStrength.WEAK);
    const [current] = this.trusted;
    if (!current) throw new Error('PaymentSigningKeys needs at least one generation');
    this.current = current;
    this.trustedPublicJwks = this.trusted.map((key, index) => props.publicKeyJwks.jwkOf(key, `Generation${props.generations[index]}PublicJwk`));

    // A stable name for operators and dashboards; it moves to the new key on rotation.
    new Alias(this, 'CurrentAlias', { aliasName: `alias/${stackName}-payment-signing-current`, targetKey: current });
  }
}
