import { createPublicKey } from 'node:crypto';
import { GetPublicKeyCommand, type KMSClient } from '@aws-sdk/client-kms';
import { SIGNING_ALGORITHM } from '../domain/settlement/payment-response.js';
import { kidOfKeyArn } from './kms-key-id.js';
import { withinDeadline } from './aws/call-deadline.js';

export interface PublicJwk {
  kty: 'EC';
  crv: 'P-256';
  x: string;
  y: string;
  kid: string;
  alg: typeof SIGNING_ALGORITHM;
  use: 'sig';
}

/** Fetches one KMS key's public half and turns its DER SubjectPublicKeyInfo into a JWK. */
export async function fetchPublicJwk(kms: KMSClient, keyArn: string): Promise<PublicJwk> {
  const response = await kms.send(new GetPublicKeyCommand({ KeyId: keyArn }), withinDeadline());
  // KMS always names KeySpec and KeyUsage; some emulators omit them, so the key itself is checked below too.
  const wrongSpec = response.KeySpec !== undefined && response.KeySpec !== 'ECC_NIST_P256';
  const wrongUsage = response.KeyUsage !== undefined && response.KeyUsage !== 'SIGN_VERIFY';
  if (wrongSpec || wrongUsage || !response.PublicKey) {
    throw new Error(`KMS key ${kidOfKeyArn(keyArn)} is not an ECC_NIST_P256 SIGN_VERIFY key`);
  }
  const jwk = createPublicKey({ key: Buffer.from(response.PublicKey), format: 'der', type: 'spki' }).export({ format: 'jwk' });
  if (jwk.kty !== 'EC' || jwk.crv !== 'P-256' || !jwk.x || !jwk.y) throw new Error('KMS returned a public key that is not P-256');
  return { kty: 'EC', crv: 'P-256', x: jwk.x, y: jwk.y, kid: kidOfKeyArn(keyArn), alg: SIGNING_ALGORITHM, use: 'sig' };
}
