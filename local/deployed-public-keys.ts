import type { KMSClient } from '@aws-sdk/client-kms';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { createPublicKeyJwkHandler } from '../functions/public-key-jwk/create-handler.js';
import type { LocalSigningKeys } from './signing-keys.js';

/** The public keys the deployment writes into the verifying functions' configuration, as JWK JSON. */
export interface DeployedPublicKeys {
  /** TRUSTED_PAYMENT_PUBLIC_KEYS: a JSON array, current key first. */
  trustedPaymentKeys: string;
  /** VERDICT_PUBLIC_KEY: one JWK. */
  verdictKey: string;
  /** CONFIG_PUBLIC_KEY: one JWK. */
  configKey: string;
}

/**
 * What CloudFormation does at deploy time (infra/constructs/public-key-jwks.ts), played here by
 * the same custom resource handler: one Create event per key, its `Jwk` attribute kept.
 */
export async function deployedPublicKeys(kms: KMSClient, keys: LocalSigningKeys): Promise<DeployedPublicKeys> {
  const handler = createPublicKeyJwkHandler(kms);
  const jwkOf = async (keyArn: string) => {
    const { Data } = await handler(publicKeyJwkEvent('Create', keyArn));
    if (!Data) throw new Error(`the public-key-jwk handler returned no JWK for ${keyArn}`);
    return Data.Jwk;
  };
  const paymentJwks = await Promise.all(keys.paymentKeyArns.map(jwkOf));
  return { trustedPaymentKeys: `[${paymentJwks.join(',')}]`, verdictKey: await jwkOf(keys.verdictKeyArn), configKey: await jwkOf(keys.configKeyArn) };
}

/** An event of the public-key-jwk custom resource, as CloudFormation (through CDK's Provider) sends it. */
export function publicKeyJwkEvent(requestType: 'Create' | 'Update' | 'Delete', keyArn: unknown): CloudFormationCustomResourceEvent {
  const common = {
    ServiceToken: 'local',
    ResponseURL: 'http://127.0.0.1/unused',
    StackId: 'local',
    RequestId: String(keyArn),
    LogicalResourceId: 'PublicKeyJwk',
    ResourceType: 'Custom::PublicKeyJwk',
    ResourceProperties: { ServiceToken: 'local', KeyArn: keyArn },
  };
  if (requestType === 'Create') return { ...common, RequestType: 'Create' };
  const PhysicalResourceId = String(keyArn);
  return requestType === 'Update'
    ? { ...common, RequestType: 'Update', PhysicalResourceId, OldResourceProperties: { ServiceToken: 'local' } }
    : { ...common, RequestType: 'Delete', PhysicalResourceId };
}
