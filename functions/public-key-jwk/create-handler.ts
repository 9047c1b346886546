import type { KMSClient } from '@aws-sdk/client-kms';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { isKmsKeyArn } from '../../shared/adapters/kms-key-id.js';
import { fetchPublicJwk } from '../../shared/adapters/kms-public-keys.js';

/** What the custom resource framework (aws-cdk-lib/custom-resources Provider) expects back. */
interface CustomResourceResult {
  PhysicalResourceId: string;
  Data?: { Jwk: string };
}

/**
 * A CloudFormation custom resource, not behind the API: the public half of one signing key as a
 * JWK (the `Jwk` attribute, a JSON string), read from KMS at deploy time. The deployment writes
 * it into the verifying functions' configuration, so they check signatures without calling KMS,
 * or even loading its SDK, at cold start. A key's public half never changes, so the physical id
 * is the key's ARN and deleting the resource leaves nothing to clean up.
 */
export function createPublicKeyJwkHandler(kms: KMSClient) {
  return async (event: CloudFormationCustomResourceEvent): Promise<CustomResourceResult> => {
    if (event.RequestType === 'Delete') return { PhysicalResourceId: event.PhysicalResourceId };
    const keyArn: unknown = event.ResourceProperties['KeyArn'];
    if (typeof keyArn !== 'string' || !isKmsKeyArn(keyArn)) throw new Error(`KeyArn must be a KMS key ARN, got ${JSON.stringify(keyArn)}`);
    const jwk = await fetchPublicJwk(kms, keyArn);
    return { PhysicalResourceId: keyArn, Data: { Jwk: JSON.stringify(jwk) } };
  };
}
