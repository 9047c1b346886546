import type { KMSClient } from '@aws-sdk/client-kms';
import type { CloudFormationCustomResourceCreateEvent } from 'aws-lambda';
import { createPublicKeyJwkHandler } from '../functions/public-key-jwk/create-handler.js';
import type { LocalSigningKeys } from './signing-keys.js';

/** The public keys the deployment writes into the verifying functions' configuration, as JWK JSON. */
export interface DeployedPublicKeys {
  /** TRUSTED_PAYMENT_PUBLIC_KEYS: a JSON array, current key first. */
  trustedPaymentKeys: string;
  /** VERDICT_PUBLIC_KEY: one JWK. */
  verdictKey: string;
}

/**
 * What CloudFormation does at deploy time (infra/constructs/public-key-jwks.ts), played here by
 * the same custom resource handler: one Create event per key, its `Jwk` attribute kept.
 */
export async function deployedPublicKeys(kms: KMSClient, keys: LocalSigningKeys): Promise<DeployedPublicKeys> {
  const handler = createPublicKeyJwkHandler(kms);
  const jwkOf = async (keyArn: string) => {
    const { Data } = await handler(createEvent(keyArn));
    if (!Data) throw new Error(`the public-key-jwk handler returned no JWK for ${keyArn}`);
    return Data.Jwk;
  };
  const paymentJwks = await Promise.all(keys.paymentKeyArns.map(jwkOf));
  return { trustedPaymentKeys: `[${paymentJwks.join(',')}]`, verdictKey: await jwkOf(keys.verdictKeyArn) };
}

function createEvent(keyArn: string): CloudFormationCustomResourceCreateEvent {
  return {
    RequestType: 'Create',
    ServiceToken: 'local',
    ResponseURL: 'http://127.0.0.1/unused',
    StackId: 'local',
    RequestId: keyArn,
    LogicalResourceId: 'PublicKeyJwk',
    ResourceType: 'Custom::PublicKeyJwk',
    ResourceProperties: { ServiceToken: 'local', KeyArn: keyArn },
  };
}
