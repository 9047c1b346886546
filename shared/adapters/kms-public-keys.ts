import { GetPublicKeyCommand, type KMSClient } from '@aws-sdk/client-kms';
import { kidOfKeyArn } from './kms-key-id.js';
import { withinDeadline } from './aws/call-deadline.js';
import { type PublicJwk, publicJwkOfSpki } from './public-jwk.js';

/** Fetches one KMS key's public half and turns its DER SubjectPublicKeyInfo into a JWK. */
export async function fetchPublicJwk(kms: KMSClient, keyArn: string): Promise<PublicJwk> {
  const response = await kms.send(new GetPublicKeyCommand({ KeyId: keyArn }), withinDeadline());
  // KMS always names KeySpec and KeyUsage; some emulators omit them, so the key itself is checked below too.
  const wrongSpec = response.KeySpec !== undefined && response.KeySpec !== 'ECC_NIST_P256';
  const wrongUsage = response.KeyUsage !== undefined && response.KeyUsage !== 'SIGN_VERIFY';
  if (wrongSpec || wrongUsage || !response.PublicKey) {
    throw new Error(`KMS key ${kidOfKeyArn(keyArn)} is not an ECC_NIST_P256 SIGN_VERIFY key`);
  }
  return publicJwkOfSpki(response.PublicKey, kidOfKeyArn(keyArn));
}
