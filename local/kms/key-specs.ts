// Which KMS key specs and signing algorithms this endpoint implements.
// The sets of valid values come from the AWS SDK's own model, so a value real KMS knows but we do not
// implement is answered with UnsupportedOperationException, and only an unknown value with ValidationException.
import { CustomerMasterKeySpec, KeySpec, KeyUsageType, MessageType, OriginType, SigningAlgorithmSpec } from '@aws-sdk/client-kms';

export const KMS_KEY_SPECS = Object.values(KeySpec);
export const KMS_CUSTOMER_MASTER_KEY_SPECS = Object.values(CustomerMasterKeySpec);
export const KMS_KEY_USAGES = Object.values(KeyUsageType);
export const KMS_ORIGINS = Object.values(OriginType);
export const KMS_SIGNING_ALGORITHMS = Object.values(SigningAlgorithmSpec);
export const KMS_MESSAGE_TYPES = Object.values(MessageType);

export type SigningAlgorithmName = (typeof KMS_SIGNING_ALGORITHMS)[number];

export interface SigningAlgorithm {
  name: SigningAlgorithmName;
  /** node:crypto's name of the hash this algorithm applies to a RAW message */
  hash: 'sha256' | 'sha384';
  /** the length a DIGEST message must have */
  digestLength: number;
}

export interface EccKeySpec {
  keySpec: 'ECC_NIST_P256' | 'ECC_NIST_P384';
  /** node:crypto's name of the curve, as `generateKeyPair('ec', { namedCurve })` takes it */
  namedCurve: 'P-256' | 'P-384';
  /** KMS offers exactly one signing algorithm for each ECC key spec */
  signingAlgorithm: SigningAlgorithm;
}

export const LOCAL_KEY_SPECS: Readonly<Record<EccKeySpec['keySpec'], EccKeySpec>> = {
  ECC_NIST_P256: {
    keySpec: 'ECC_NIST_P256',
    namedCurve: 'P-256',
    signingAlgorithm: { name: 'ECDSA_SHA_256', hash: 'sha256', digestLength: 32 },
  },
  ECC_NIST_P384: {
    keySpec: 'ECC_NIST_P384',
    namedCurve: 'P-384',
    signingAlgorithm: { name: 'ECDSA_SHA_384', hash: 'sha384', digestLength: 48 },
  },
};

export function localKeySpec(keySpec: string): EccKeySpec | undefined {
  return Object.hasOwn(LOCAL_KEY_SPECS, keySpec) ? LOCAL_KEY_SPECS[keySpec as EccKeySpec['keySpec']] : undefined;
}
