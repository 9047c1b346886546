// The behaviour of AWS KMS this project relies on, written once and run against every implementation
// we have: our local endpoint and Python moto's moto_server. The assertions state what real KMS does
// (its API reference). Where an implementation is known to differ, it declares the deviation and the
// test asserts the deviant behaviour instead, so that a fixed deviation shows up as a failing test.
import { CreateKeyCommand, DescribeKeyCommand, GetPublicKeyCommand, KMSClient, SignCommand, type KeyMetadata, type KeySpec } from '@aws-sdk/client-kms';
import { createPublicKey, randomUUID, verify } from 'node:crypto';
import { expect, it } from 'vitest';

export interface KnownDeviations {
  /** A signing algorithm the key does not offer is a ValidationException, not KMS's InvalidKeyUsageException. */
  wrongSigningAlgorithmIsValidationError?: boolean;
  /** Sign accepts messages over KMS's 4096-byte limit. */
  acceptsMessagesOver4096Bytes?: boolean;
  /** GetPublicKey answers with the bare key id, not the key ARN, and without the KeySpec member. */
  getPublicKeyAnswersBareKeyId?: boolean;
}

export interface KmsImplementation {
  client: KMSClient;
  deviations: KnownDeviations;
}

export function kmsClient(endpoint: string): KMSClient {
  return new KMSClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1, // an error must show as itself, not as a retry
  });
}

const KEY_ARN = /^arn:aws:kms:us-east-1:\d{12}:key\/[0-9a-f-]{36}$/;
const message = Buffer.from('{"amount":1250,"currency":"EUR"}');

/** Registers the contract's tests; `implementation` is called inside the tests, after the caller's beforeAll. */
export function kmsContract(implementation: () => KmsImplementation): void {
  const client = () => implementation().client;
  const deviates = (deviation: keyof KnownDeviations) => implementation().deviations[deviation] === true;

  async function createSigningKey(keySpec: KeySpec = 'ECC_NIST_P256'): Promise<KeyMetadata & { KeyId: string; Arn: string }> {
    const { KeyMetadata: metadata } = await client().send(
      new CreateKeyCommand({ KeySpec: keySpec, KeyUsage: 'SIGN_VERIFY', Description: 'contract test key' }),
    );
    if (!metadata?.KeyId || !metadata.Arn) throw new Error('CreateKey answered without KeyId or Arn');
    return { ...metadata, KeyId: metadata.KeyId, Arn: metadata.Arn };
  }

  async function signRaw(keyId: string, payload: Uint8Array = message) {
    return client().send(new SignCommand({ KeyId: keyId, Message: payload, MessageType: 'RAW', SigningAlgorithm: 'ECDSA_SHA_256' }));
  }

  it('CreateKey makes an enabled ECC_NIST_P256 SIGN_VERIFY key with its ARN, description and signing algorithm', async () => {
    const { KeyMetadata: metadata } = await client().send(
      new CreateKeyCommand({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY', Description: 'response signing' }),
    );
    expect(metadata).toMatchObject({
      KeySpec: 'ECC_NIST_P256',
      KeyUsage: 'SIGN_VERIFY',
      KeyState: 'Enabled',
      Enabled: true,
      Description: 'response signing',
      KeyManager: 'CUSTOMER',
      Origin: 'AWS_KMS',
      SigningAlgorithms: ['ECDSA_SHA_256'],
    });
    expect(metadata?.Arn).toMatch(KEY_ARN);
    expect(metadata?.Arn?.endsWith(`:key/${metadata.KeyId}`)).toBe(true);
    expect(metadata?.CreationDate).toBeInstanceOf(Date);
  });

  it('CreateKey rejects a KeySpec KMS does not know with ValidationException', async () => {
    await expect(
      client().send(new CreateKeyCommand({ KeySpec: 'ECC_NIST_P999' as KeySpec, KeyUsage: 'SIGN_VERIFY' })),
    ).rejects.toMatchObject({ name: 'ValidationException' });
  });

  it('DescribeKey finds a key by its key id and by its key ARN', async () => {
    const key = await createSigningKey();
    for (const keyId of [key.KeyId, key.Arn]) {
      const { KeyMetadata: metadata } = await client().send(new DescribeKeyCommand({ KeyId: keyId }));
      expect(metadata?.KeyId).toBe(key.KeyId);
    }
  });

  it('GetPublicKey returns a DER SubjectPublicKeyInfo that node:crypto imports as a P-256 key', async () => {
    const key = await createSigningKey();
    const answer = await client().send(new GetPublicKeyCommand({ KeyId: key.KeyId }));
    const publicKey = createPublicKey({ key: Buffer.from(answer.PublicKey!), format: 'der', type: 'spki' });
    expect(publicKey.asymmetricKeyType).toBe('ec');
    expect(publicKey.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    expect(answer).toMatchObject({ KeyUsage: 'SIGN_VERIFY', SigningAlgorithms: ['ECDSA_SHA_256'], CustomerMasterKeySpec: 'ECC_NIST_P256' });
    if (deviates('getPublicKeyAnswersBareKeyId')) {
      expect(answer.KeyId).toBe(key.KeyId);
    } else {
      expect(answer.KeyId).toBe(key.Arn);
      expect(answer.KeySpec).toBe('ECC_NIST_P256');
    }
  });

  it('Sign in RAW mode returns a DER ECDSA signature that node:crypto verifies against the message', async () => {
    const key = await createSigningKey();
    const signed = await signRaw(key.KeyId);
    expect(signed).toMatchObject({ KeyId: key.Arn, SigningAlgorithm: 'ECDSA_SHA_256' });
    const { PublicKey: spki } = await client().send(new GetPublicKeyCommand({ KeyId: key.KeyId }));
    const publicKey = { key: Buffer.from(spki!), format: 'der', type: 'spki', dsaEncoding: 'der' } as const;
    expect(verify('sha256', message, publicKey, Buffer.from(signed.Signature!))).toBe(true);
    expect(verify('sha256', Buffer.from('another message'), publicKey, Buffer.from(signed.Signature!))).toBe(false);
  });

  // Verification must refuse a trusted key that is not P-256; its test creates a P-384 key to show it.
  it('an ECC_NIST_P384 key signs with ECDSA_SHA_384', async () => {
    const key = await createSigningKey('ECC_NIST_P384');
    expect(key.SigningAlgorithms).toEqual(['ECDSA_SHA_384']);
    const signed = await client().send(new SignCommand({ KeyId: key.KeyId, Message: message, SigningAlgorithm: 'ECDSA_SHA_384' }));
    const { PublicKey: spki } = await client().send(new GetPublicKeyCommand({ KeyId: key.KeyId }));
    const publicKey = createPublicKey({ key: Buffer.from(spki!), format: 'der', type: 'spki' });
    expect(publicKey.asymmetricKeyDetails?.namedCurve).toBe('secp384r1');
    expect(verify('sha384', message, publicKey, Buffer.from(signed.Signature!))).toBe(true);
  });

  it('an unknown key id, key ARN or alias is NotFoundException in DescribeKey, GetPublicKey and Sign', async () => {
    const key = await createSigningKey();
    const unknownId = randomUUID();
    for (const keyId of [unknownId, key.Arn.replace(key.KeyId, unknownId), 'alias/contract-no-such-alias']) {
      await expect(client().send(new DescribeKeyCommand({ KeyId: keyId }))).rejects.toMatchObject({ name: 'NotFoundException' });
      await expect(client().send(new GetPublicKeyCommand({ KeyId: keyId }))).rejects.toMatchObject({ name: 'NotFoundException' });
      await expect(signRaw(keyId)).rejects.toMatchObject({ name: 'NotFoundException' });
    }
  });

  it('text that is no key identifier at all is NotFoundException', async () => {
    await expect(client().send(new DescribeKeyCommand({ KeyId: 'not-a-key' }))).rejects.toMatchObject({ name: 'NotFoundException' });
  });

  it('Sign takes a message of 4096 bytes and rejects a longer one with ValidationException', async () => {
    const key = await createSigningKey();
    await expect(signRaw(key.KeyId, Buffer.alloc(4096, 1))).resolves.toMatchObject({ SigningAlgorithm: 'ECDSA_SHA_256' });
    const signing = signRaw(key.KeyId, Buffer.alloc(4097, 1));
    if (deviates('acceptsMessagesOver4096Bytes')) {
      await expect(signing).resolves.toMatchObject({ SigningAlgorithm: 'ECDSA_SHA_256' });
    } else {
      await expect(signing).rejects.toMatchObject({ name: 'ValidationException' });
    }
  });

  it('Sign rejects a signing algorithm the key does not offer with InvalidKeyUsageException', async () => {
    const key = await createSigningKey();
    const signing = client().send(new SignCommand({ KeyId: key.KeyId, Message: message, SigningAlgorithm: 'ECDSA_SHA_384' }));
    const expected = deviates('wrongSigningAlgorithmIsValidationError') ? 'ValidationException' : 'InvalidKeyUsageException';
    await expect(signing).rejects.toMatchObject({ name: expected });
  });
}
