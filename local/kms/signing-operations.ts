// The KMS actions that use a signing key's material: GetPublicKey, Sign and Verify.
// Checks run in KMS's order: request members first (ValidationException), then the key
// (NotFoundException, its state, its usage), then the message against the algorithm.
import { sign as signMessage, verify as verifyMessage } from 'node:crypto';
import { KmsError } from './errors.js';
import { signDigest, verifyDigest } from './ecdsa-digest.js';
import type { KmsContext, KmsOperation } from './kms-context.js';
import { KEY_ID_LENGTH, keyArn, requireEnabled, resolveKey } from './key-references.js';
import { KMS_MESSAGE_TYPES, KMS_SIGNING_ALGORITHMS, LOCAL_KEY_SPECS, type SigningAlgorithm } from './key-specs.js';
import type { StoredKey } from './key-store.js';
import {
  optionalBoolean,
  optionalEnum,
  optionalList,
  requiredBlob,
  requiredEnum,
  requiredString,
  type RequestBody,
} from './request-fields.js';

const MESSAGE_LENGTH = { min: 1, max: 4096 };
const SIGNATURE_LENGTH = { min: 1, max: 6144 };

export const getPublicKey: KmsOperation = async ({ store, scope }, body) => {
  const key = resolveKey(store, scope, requiredString(body, 'KeyId', KEY_ID_LENGTH));
  optionalList(body, 'GrantTokens');
  requireEnabled(key, scope);
  return {
    KeyId: keyArn(scope, key.keyId),
    PublicKey: key.publicKey.export({ format: 'der', type: 'spki' }).toString('base64'),
    CustomerMasterKeySpec: key.keySpec,
    KeySpec: key.keySpec,
    KeyUsage: key.keyUsage,
    SigningAlgorithms: [LOCAL_KEY_SPECS[key.keySpec].signingAlgorithm.name],
  };
};

export const sign: KmsOperation = async (context, body) => {
  const request = readSigningRequest(body);
  const { key, algorithm } = signingKey(context, request);
  const signature =
    request.messageType === 'DIGEST'
      ? signDigest(key.privateKey, request.message)
      : signMessage(algorithm.hash, request.message, { key: key.privateKey, dsaEncoding: 'der' });
  return { KeyId: keyArn(context.scope, key.keyId), Signature: signature.toString('base64'), SigningAlgorithm: algorithm.name };
};

/** Like KMS, a signature that does not verify is an error (KMSInvalidSignatureException), never SignatureValid: false. */
export const verify: KmsOperation = async (context, body) => {
  const request = readSigningRequest(body);
  const signature = requiredBlob(body, 'Signature', SIGNATURE_LENGTH);
  const { key, algorithm } = signingKey(context, request);
  const valid =
    request.messageType === 'DIGEST'
      ? verifyDigest(key.publicKey, request.message, signature)
      : verifyRawMessage(algorithm, key, request.message, signature);
  if (!valid) throw new KmsError('KMSInvalidSignatureException', 'Signature verification failed');
  return { KeyId: keyArn(context.scope, key.keyId), SignatureValid: true, SigningAlgorithm: algorithm.name };
};

interface SigningRequest {
  keyId: string;
  message: Buffer;
  messageType: (typeof KMS_MESSAGE_TYPES)[number];
  signingAlgorithm: (typeof KMS_SIGNING_ALGORITHMS)[number];
  dryRun: boolean;
}

function readSigningRequest(body: RequestBody): SigningRequest {
  const request: SigningRequest = {
    keyId: requiredString(body, 'KeyId', KEY_ID_LENGTH),
    message: requiredBlob(body, 'Message', MESSAGE_LENGTH),
    messageType: optionalEnum(body, 'MessageType', KMS_MESSAGE_TYPES) ?? 'RAW',
    signingAlgorithm: requiredEnum(body, 'SigningAlgorithm', KMS_SIGNING_ALGORITHMS),
    dryRun: optionalBoolean(body, 'DryRun') ?? false,
  };
  optionalList(body, 'GrantTokens');
  return request;
}

function signingKey({ store, scope }: KmsContext, request: SigningRequest): { key: StoredKey; algorithm: SigningAlgorithm } {
  const key = resolveKey(store, scope, request.keyId);
  requireEnabled(key, scope);
  const algorithm = LOCAL_KEY_SPECS[key.keySpec].signingAlgorithm;
  if (request.signingAlgorithm !== algorithm.name) {
    throw new KmsError('InvalidKeyUsageException', `Algorithm ${request.signingAlgorithm} is incompatible with key spec ${key.keySpec}.`);
  }
  if (request.messageType === 'EXTERNAL_MU') {
    throw new KmsError('ValidationException', `MessageType EXTERNAL_MU is only valid with ML-DSA keys, not with key spec ${key.keySpec}.`);
  }
  if (request.messageType === 'DIGEST' && request.message.length !== algorithm.digestLength) {
    throw new KmsError('ValidationException', `Digest is invalid length for algorithm ${algorithm.name}.`);
  }
  if (request.dryRun) {
    throw new KmsError('DryRunOperationException', 'The request would have succeeded, but the DryRun option is set.');
  }
  return { key, algorithm };
}

function verifyRawMessage(algorithm: SigningAlgorithm, key: StoredKey, message: Buffer, signature: Buffer): boolean {
  try {
    return verifyMessage(algorithm.hash, message, { key: key.publicKey, dsaEncoding: 'der' }, signature);
  } catch {
    return false; // a signature that is not even DER is as invalid as a wrong one
  }
}
