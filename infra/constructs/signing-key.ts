import { RemovalPolicy } from 'aws-cdk-lib';
import { Key, KeySpec, KeyUsage } from 'aws-cdk-lib/aws-kms';
import type { Construct } from 'constructs';
import { signingKeyPolicy, type SigningKeyUsers } from './signing-key-policy.js';

/**
 * An ES256 signing key: ECC_NIST_P256 for SIGN_VERIFY. The private half never leaves KMS.
 * Retained: deleting it would make every signature it made unverifiable, and KMS refuses to
 * bring a deleted key back.
 */
export function newSigningKey(scope: Construct, id: string, props: { description: string; alias: string; users: SigningKeyUsers }): Key {
  return new Key(scope, id, {
    keySpec: KeySpec.ECC_NIST_P256,
    keyUsage: KeyUsage.SIGN_VERIFY,
    description: props.description,
    alias: props.alias,
    // Given a policy, CDK adds no default statement of its own (a test reads the template).
    policy: signingKeyPolicy(props.users),
    removalPolicy: RemovalPolicy.RETAIN,
  });
}
