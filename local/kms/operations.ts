// The KMS actions this project calls, and only those: CreateKey and DescribeKey (the local stack
// creates its signing keys, and checks at start and on rotation that KMS still holds them),
// GetPublicKey (JWKS, verification) and Sign (RAW messages, as KmsJwsSigner sends them).
// Checks run in KMS's order: request members first (ValidationException), then the key
// (NotFoundException), then the request against the key (InvalidKeyUsageException).
import { createPublicKey, generateKeyPairSync, randomUUID, sign } from 'node:crypto';
import { KeySpec, KeyUsageType, MessageType, SigningAlgorithmSpec } from '@aws-sdk/client-kms';
import type { KeyStore, StoredKey } from './key-store.js';

/** Travels as `__type` in the error body; the AWS SDK throws its exception class of that name. */
export class KmsError extends Error {
  constructor(
    readonly code:
      | 'InvalidKeyUsageException'
      | 'NotFoundException'
      | 'SerializationException'
      | 'UnknownOperationException'
      | 'UnsupportedOperationException'
      | 'ValidationException',
    message: string,
  ) {
    super(message);
    this.name = 'KmsError';
  }
}

/** The region and account this endpoint pretends to be: they appear in every ARN. */
export interface KmsScope {
  region: string;
  accountId: string;
}

export type RequestBody = Record<string, unknown>;

// KMS offers exactly one signing algorithm per ECC key spec. P-384 stays because a test proves that
// verification refuses a trusted key that is not P-256 (test/verification/trusted-key-set.test.ts).
const KEY_SPECS = {
  ECC_NIST_P256: { namedCurve: 'P-256', algorithm: 'ECDSA_SHA_256', hash: 'sha256' },
  ECC_NIST_P384: { namedCurve: 'P-384', algorithm: 'ECDSA_SHA_384', hash: 'sha384' },
} as const;

type Operation = (store: KeyStore, scope: KmsScope, body: RequestBody) => Promise<object>;

const OPERATIONS: Readonly<Record<string, Operation>> = {
  async CreateKey(store, scope, body) {
    acceptOnly(body, 'CreateKey', ['KeySpec', 'KeyUsage', 'Description']);
    // KMS's defaults: a request without them asks for a symmetric encryption key.
    const keySpec = optionalEnum(body, 'KeySpec', Object.values(KeySpec)) ?? 'SYMMETRIC_DEFAULT';
    const keyUsage = optionalEnum(body, 'KeyUsage', Object.values(KeyUsageType)) ?? 'ENCRYPT_DECRYPT';
    const description = optionalString(body, 'Description') ?? '';
    if (!Object.hasOwn(KEY_SPECS, keySpec)) {
      throw new KmsError('UnsupportedOperationException', `KeySpec ${keySpec} is not supported by this local KMS endpoint: it creates only ECC_NIST_P256 and ECC_NIST_P384 keys with KeyUsage SIGN_VERIFY`);
    }
    if (keyUsage !== 'SIGN_VERIFY') {
      // KEY_AGREEMENT is valid for ECC keys in KMS, just not here; any other usage is not.
      const code = keyUsage === 'KEY_AGREEMENT' ? 'UnsupportedOperationException' : 'ValidationException';
      throw new KmsError(code, `KeyUsage ${keyUsage} with KeySpec ${keySpec}: this local KMS endpoint creates only SIGN_VERIFY keys`);
    }
    const spec = keySpec as keyof typeof KEY_SPECS;
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: KEY_SPECS[spec].namedCurve });
    const key: StoredKey = { keyId: randomUUID(), keySpec: spec, description, creationDate: new Date(), privateKey };
    await store.save(key);
    return { KeyMetadata: keyMetadata(key, scope) };
  },

  async DescribeKey(store, scope, body) {
    acceptOnly(body, 'DescribeKey', ['KeyId']);
    return { KeyMetadata: keyMetadata(findKey(store, scope, body), scope) };
  },

  async GetPublicKey(store, scope, body) {
    acceptOnly(body, 'GetPublicKey', ['KeyId']);
    const key = findKey(store, scope, body);
    return {
      KeyId: keyArn(scope, key.keyId),
      PublicKey: createPublicKey(key.privateKey).export({ format: 'der', type: 'spki' }).toString('base64'),
      CustomerMasterKeySpec: key.keySpec, // the deprecated twin of KeySpec: KMS still returns both
      KeySpec: key.keySpec,
      KeyUsage: 'SIGN_VERIFY',
      SigningAlgorithms: [KEY_SPECS[key.keySpec].algorithm],
    };
  },

  async Sign(store, scope, body) {
    acceptOnly(body, 'Sign', ['KeyId', 'Message', 'MessageType', 'SigningAlgorithm']);
    const message = messageOf(body);
    const messageType = optionalEnum(body, 'MessageType', Object.values(MessageType)) ?? 'RAW';
    const algorithm = requiredEnum(body, 'SigningAlgorithm', Object.values(SigningAlgorithmSpec));
    // A JWS signing input is far below KMS's 4096-byte limit, so RAW is all we need; and moto's
    // DIGEST signatures do not verify, so no second implementation could check ours.
    if (messageType !== 'RAW') {
      throw new KmsError('UnsupportedOperationException', `MessageType ${messageType} is not supported by this local KMS endpoint: sign the message itself with MessageType RAW`);
    }
    const key = findKey(store, scope, body);
    const spec = KEY_SPECS[key.keySpec];
    if (algorithm !== spec.algorithm) {
      throw new KmsError('InvalidKeyUsageException', `Algorithm ${algorithm} is incompatible with key spec ${key.keySpec}.`);
    }
    const signature = sign(spec.hash, message, { key: key.privateKey, dsaEncoding: 'der' }); // DER, as KMS returns it
    return { KeyId: keyArn(scope, key.keyId), Signature: signature.toString('base64'), SigningAlgorithm: algorithm };
  },
};

const IMPLEMENTED_OPERATIONS = Object.keys(OPERATIONS);

/** `name` is the part of `x-amz-target` after `TrentService.`. */
export function runOperation(store: KeyStore, scope: KmsScope, name: string, body: RequestBody): Promise<object> {
  const operation = Object.hasOwn(OPERATIONS, name) ? OPERATIONS[name] : undefined;
  if (!operation) {
    throw new KmsError(
      'UnknownOperationException',
      `Operation ${name} is not implemented by this local KMS endpoint; it implements ${IMPLEMENTED_OPERATIONS.join(', ')}`,
    );
  }
  return operation(store, scope, body);
}

function keyArn(scope: KmsScope, keyId: string): string {
  return `arn:aws:kms:${scope.region}:${scope.accountId}:key/${keyId}`;
}

/** The members real KMS fills for an asymmetric signing key in its own key store. */
function keyMetadata(key: StoredKey, scope: KmsScope): object {
  return {
    AWSAccountId: scope.accountId,
    KeyId: key.keyId,
    Arn: keyArn(scope, key.keyId),
    CreationDate: key.creationDate.getTime() / 1000, // KMS's JSON protocol sends epoch seconds
    Enabled: true,
    Description: key.description,
    KeyUsage: 'SIGN_VERIFY',
    KeyState: 'Enabled',
    Origin: 'AWS_KMS',
    KeyManager: 'CUSTOMER',
    CustomerMasterKeySpec: key.keySpec,
    KeySpec: key.keySpec,
    SigningAlgorithms: [KEY_SPECS[key.keySpec].algorithm],
    MultiRegion: false,
  };
}

const KEY_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const KEY_ARN_PREFIX = /^arn:aws:kms:[^:]*:[^:]*:key\//;

/** By key id or key ARN. Aliases are not implemented (nothing here uses them): an alias is not found. */
function findKey(store: KeyStore, scope: KmsScope, body: RequestBody): StoredKey {
  const text = requiredString(body, 'KeyId');
  const keyId = text.replace(KEY_ARN_PREFIX, '');
  if (!KEY_ID.test(keyId)) throw new KmsError('NotFoundException', `Invalid keyId ${text}`);
  const arn = keyArn(scope, keyId);
  // An ARN of another region or account names a key that cannot be here.
  const key = text === keyId || text === arn ? store.find(keyId) : undefined;
  if (!key) throw new KmsError('NotFoundException', `Key '${text === keyId ? arn : text}' does not exist`);
  return key;
}

/** A KMS member we do not implement (Tags, Policy, DryRun, GrantTokens, ...) is refused, never silently ignored. */
function acceptOnly(body: RequestBody, operation: string, members: readonly string[]): void {
  const other = Object.keys(body).find((member) => body[member] != null && !members.includes(member));
  if (other !== undefined) {
    throw new KmsError('UnsupportedOperationException', `${operation} member ${other} is not supported by this local KMS endpoint; it takes ${members.join(', ')}`);
  }
}

// Like KMS's service model: a member of the wrong JSON type is a SerializationException, a value
// outside the model's constraints a ValidationException in KMS's own wording.
function optionalString(body: RequestBody, member: string): string | undefined {
  const value = body[member];
  if (value == null) return undefined;
  if (typeof value !== 'string') throw new KmsError('SerializationException', `${member} must be a string`);
  return value;
}

function requiredString(body: RequestBody, member: string): string {
  const value = optionalString(body, member);
  if (value === undefined) throw validationError(member, 'null', 'Member must not be null');
  return value;
}

function optionalEnum<T extends string>(body: RequestBody, member: string, allowed: readonly T[]): T | undefined {
  const value = optionalString(body, member);
  if (value !== undefined && !(allowed as readonly string[]).includes(value)) {
    throw validationError(member, value, `Member must satisfy enum value set: [${allowed.join(', ')}]`);
  }
  return value as T | undefined;
}

function requiredEnum<T extends string>(body: RequestBody, member: string, allowed: readonly T[]): T {
  const value = optionalEnum(body, member, allowed);
  if (value === undefined) throw validationError(member, 'null', 'Member must not be null');
  return value;
}

/** The message arrives base64-encoded; KMS takes 1 to 4096 bytes. */
function messageOf(body: RequestBody): Buffer {
  const text = requiredString(body, 'Message');
  if (text.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(text)) {
    throw new KmsError('SerializationException', 'Message must be base64-encoded binary data');
  }
  const message = Buffer.from(text, 'base64');
  if (message.length === 0) throw validationError('Message', undefined, 'Member must have length greater than or equal to 1');
  if (message.length > 4096) throw validationError('Message', undefined, 'Member must have length less than or equal to 4096');
  return message;
}

/** KMS names the member in lower camel case: KeyId becomes 'keyId'. */
function validationError(member: string, value: string | undefined, constraint: string): KmsError {
  const shown = value === undefined ? 'Value' : `Value '${value}'`;
  const field = member.charAt(0).toLowerCase() + member.slice(1);
  return new KmsError('ValidationException', `1 validation error detected: ${shown} at '${field}' failed to satisfy constraint: ${constraint}`);
}
