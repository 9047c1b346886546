// KMS behaviour of the local endpoint beyond the shared contract: where moto cannot serve as a
// reference (digest signing, which moto gets wrong; key specs we do not implement) or does not check.
import {
  CreateAliasCommand,
  CreateKeyCommand,
  DisableKeyCommand,
  GetPublicKeyCommand,
  ListKeysCommand,
  ListResourceTagsCommand,
  ScheduleKeyDeletionCommand,
  SignCommand,
  UpdateAliasCommand,
  VerifyCommand,
  type KMSClient,
  type KeySpec,
  type SigningAlgorithmSpec,
} from '@aws-sdk/client-kms';
import { createHash, randomUUID, verify } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalKms, type LocalKmsFixture } from './local-kms-fixture.js';

let kms: LocalKmsFixture;
let client: KMSClient;

beforeAll(async () => {
  kms = await startLocalKms();
  client = kms.client;
});

afterAll(async () => {
  await kms?.dispose();
});

async function createSigningKey(keySpec: KeySpec = 'ECC_NIST_P256') {
  const { KeyMetadata: metadata } = await client.send(new CreateKeyCommand({ KeySpec: keySpec, KeyUsage: 'SIGN_VERIFY' }));
  return { keyId: metadata!.KeyId!, arn: metadata!.Arn! };
}

const message = Buffer.from('{"amount":1250,"currency":"EUR"}');

describe.each([
  { keySpec: 'ECC_NIST_P256', algorithm: 'ECDSA_SHA_256', hash: 'sha256' },
  { keySpec: 'ECC_NIST_P384', algorithm: 'ECDSA_SHA_384', hash: 'sha384' },
] as const)('signing a digest (MessageType DIGEST) with an $keySpec key', ({ keySpec, algorithm, hash }) => {
  const digest = createHash(hash).update(message).digest();

  async function keyWithPublicKey() {
    const key = await createSigningKey(keySpec);
    const { PublicKey: spki } = await client.send(new GetPublicKeyCommand({ KeyId: key.keyId }));
    return { ...key, publicKey: { key: Buffer.from(spki!), format: 'der', type: 'spki' } as const };
  }

  function signDigest(keyId: string, payload: Uint8Array = digest, signingAlgorithm: SigningAlgorithmSpec = algorithm) {
    return client.send(new SignCommand({ KeyId: keyId, Message: payload, MessageType: 'DIGEST', SigningAlgorithm: signingAlgorithm }));
  }

  it('signs the digest without hashing it again, so the signature verifies against the original message', async () => {
    const key = await keyWithPublicKey();
    for (let attempt = 0; attempt < 5; attempt++) {
      const { Signature: signature } = await signDigest(key.keyId);
      expect(verify(hash, message, key.publicKey, Buffer.from(signature!))).toBe(true);
    }
  });

  it('verifies in either mode what was signed in the other', async () => {
    const key = await keyWithPublicKey();
    const { Signature: digestSignature } = await signDigest(key.keyId);
    const { Signature: rawSignature } = await client.send(new SignCommand({ KeyId: key.keyId, Message: message, SigningAlgorithm: algorithm }));
    await expect(
      client.send(new VerifyCommand({ KeyId: key.keyId, Message: message, Signature: digestSignature, SigningAlgorithm: algorithm })),
    ).resolves.toMatchObject({ SignatureValid: true });
    await expect(
      client.send(
        new VerifyCommand({ KeyId: key.keyId, Message: digest, MessageType: 'DIGEST', Signature: rawSignature, SigningAlgorithm: algorithm }),
      ),
    ).resolves.toMatchObject({ SignatureValid: true });
  });

  it('rejects a signature over another digest with KMSInvalidSignatureException', async () => {
    const key = await keyWithPublicKey();
    const { Signature: signature } = await signDigest(key.keyId);
    const otherDigest = createHash(hash).update('another message').digest();
    await expect(
      client.send(new VerifyCommand({ KeyId: key.keyId, Message: otherDigest, MessageType: 'DIGEST', Signature: signature, SigningAlgorithm: algorithm })),
    ).rejects.toMatchObject({ name: 'KMSInvalidSignatureException' });
  });

  it('rejects a digest of the wrong length for the algorithm with ValidationException', async () => {
    const key = await keyWithPublicKey();
    await expect(signDigest(key.keyId, Buffer.alloc(digest.length + 1))).rejects.toMatchObject({
      name: 'ValidationException',
      message: `Digest is invalid length for algorithm ${algorithm}.`,
    });
  });
});

describe('CreateKey for key specs this endpoint does not implement', () => {
  it.each(['RSA_2048', 'ECC_NIST_P521', 'ECC_SECG_P256K1', 'HMAC_256'] as const)(
    'answers %s with UnsupportedOperationException naming what it does support',
    async (keySpec) => {
      await expect(client.send(new CreateKeyCommand({ KeySpec: keySpec, KeyUsage: 'SIGN_VERIFY' }))).rejects.toMatchObject({
        name: 'UnsupportedOperationException',
        message: expect.stringContaining(`KeySpec ${keySpec} is not supported by this local KMS endpoint`),
      });
    },
  );

  it('answers a request without KeySpec, which KMS reads as SYMMETRIC_DEFAULT, with UnsupportedOperationException', async () => {
    await expect(client.send(new CreateKeyCommand({}))).rejects.toMatchObject({
      name: 'UnsupportedOperationException',
      message: expect.stringContaining('SYMMETRIC_DEFAULT'),
    });
  });

  it('rejects an ECC key whose usage is (or defaults to) ENCRYPT_DECRYPT with ValidationException', async () => {
    for (const request of [{ KeySpec: 'ECC_NIST_P256' as const }, { KeySpec: 'ECC_NIST_P256' as const, KeyUsage: 'ENCRYPT_DECRYPT' as const }]) {
      await expect(client.send(new CreateKeyCommand(request))).rejects.toMatchObject({ name: 'ValidationException' });
    }
  });
});

describe('keys', () => {
  it('keeps the tags given to CreateKey, and refuses the reserved aws: prefix with TagException', async () => {
    const { KeyMetadata: metadata } = await client.send(
      new CreateKeyCommand({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY', Tags: [{ TagKey: 'team', TagValue: 'payments' }] }),
    );
    const { Tags: tags } = await client.send(new ListResourceTagsCommand({ KeyId: metadata!.KeyId }));
    expect(tags).toEqual([{ TagKey: 'team', TagValue: 'payments' }]);
    await expect(
      client.send(new CreateKeyCommand({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY', Tags: [{ TagKey: 'aws:owner', TagValue: 'x' }] })),
    ).rejects.toMatchObject({ name: 'TagException' });
  });

  it('pages ListKeys with Limit and NextMarker, and rejects a marker it never gave with InvalidMarkerException', async () => {
    for (let index = 0; index < 3; index++) await createSigningKey();
    const { Keys: all } = await client.send(new ListKeysCommand({ Limit: 1000 }));
    const seen: string[] = [];
    let marker: string | undefined;
    do {
      const page = await client.send(new ListKeysCommand({ Limit: 2, Marker: marker }));
      expect(page.Keys!.length).toBeLessThanOrEqual(2);
      seen.push(...page.Keys!.map((key) => key.KeyId!));
      expect(page.Truncated).toBe(page.NextMarker !== undefined);
      marker = page.NextMarker;
    } while (marker);
    expect(seen).toEqual(all!.map((key) => key.KeyId));
    await expect(client.send(new ListKeysCommand({ Marker: 'never-given' }))).rejects.toMatchObject({ name: 'InvalidMarkerException' });
  });

  it('answers ScheduleKeyDeletion with the key ARN, state and window, and refuses a window under 7 days', async () => {
    const key = await createSigningKey();
    await expect(client.send(new ScheduleKeyDeletionCommand({ KeyId: key.keyId, PendingWindowInDays: 6 }))).rejects.toMatchObject({
      name: 'ValidationException',
    });
    await expect(client.send(new ScheduleKeyDeletionCommand({ KeyId: key.keyId, PendingWindowInDays: 7 }))).resolves.toMatchObject({
      KeyId: key.arn,
      KeyState: 'PendingDeletion',
      PendingWindowInDays: 7,
    });
  });

  it('takes only a key id or key ARN in key management operations, like KMS', async () => {
    const key = await createSigningKey();
    const aliasName = `alias/local-${randomUUID()}`;
    await client.send(new CreateAliasCommand({ AliasName: aliasName, TargetKeyId: key.keyId }));
    await expect(client.send(new DisableKeyCommand({ KeyId: aliasName }))).rejects.toMatchObject({
      name: 'NotFoundException',
      message: `Invalid keyId ${aliasName}`,
    });
  });

  it('does not find a key by an ARN of another region', async () => {
    const key = await createSigningKey();
    await expect(client.send(new GetPublicKeyCommand({ KeyId: key.arn.replace('us-east-1', 'eu-west-1') }))).rejects.toMatchObject({
      name: 'NotFoundException',
    });
  });

  it('refuses GetPublicKey and Verify with a disabled key (DisabledException)', async () => {
    const key = await createSigningKey();
    const { Signature: signature } = await client.send(new SignCommand({ KeyId: key.keyId, Message: message, SigningAlgorithm: 'ECDSA_SHA_256' }));
    await client.send(new DisableKeyCommand({ KeyId: key.keyId }));
    await expect(client.send(new GetPublicKeyCommand({ KeyId: key.keyId }))).rejects.toMatchObject({ name: 'DisabledException' });
    await expect(
      client.send(new VerifyCommand({ KeyId: key.keyId, Message: message, Signature: signature, SigningAlgorithm: 'ECDSA_SHA_256' })),
    ).rejects.toMatchObject({ name: 'DisabledException' });
  });
});

describe('Sign request checks', () => {
  it('rejects an empty message with ValidationException', async () => {
    const key = await createSigningKey();
    await expect(client.send(new SignCommand({ KeyId: key.keyId, Message: new Uint8Array(0), SigningAlgorithm: 'ECDSA_SHA_256' }))).rejects.toMatchObject({
      name: 'ValidationException',
    });
  });

  it('rejects a signing algorithm KMS does not know with ValidationException listing the valid ones', async () => {
    const key = await createSigningKey();
    await expect(
      client.send(new SignCommand({ KeyId: key.keyId, Message: message, SigningAlgorithm: 'ECDSA_SHA_1' as SigningAlgorithmSpec })),
    ).rejects.toMatchObject({ name: 'ValidationException', message: expect.stringContaining('ECDSA_SHA_256') });
  });

  it('answers a DryRun that would succeed with DryRunOperationException and no signature', async () => {
    const key = await createSigningKey();
    await expect(
      client.send(new SignCommand({ KeyId: key.keyId, Message: message, SigningAlgorithm: 'ECDSA_SHA_256', DryRun: true })),
    ).rejects.toMatchObject({ name: 'DryRunOperationException' });
  });
});

describe('alias rules', () => {
  it('reserves alias/aws/ names for AWS managed keys (NotAuthorizedException)', async () => {
    const key = await createSigningKey();
    await expect(client.send(new CreateAliasCommand({ AliasName: 'alias/aws/kms', TargetKeyId: key.keyId }))).rejects.toMatchObject({
      name: 'NotAuthorizedException',
    });
  });

  it('refuses an alias that points at another alias (ValidationException)', async () => {
    const key = await createSigningKey();
    const aliasName = `alias/local-${randomUUID()}`;
    await client.send(new CreateAliasCommand({ AliasName: aliasName, TargetKeyId: key.keyId }));
    await expect(client.send(new CreateAliasCommand({ AliasName: `${aliasName}-2`, TargetKeyId: aliasName }))).rejects.toMatchObject({
      name: 'ValidationException',
    });
  });

  it('refuses to point an alias at a key pending deletion (KMSInvalidStateException)', async () => {
    const key = await createSigningKey();
    await client.send(new ScheduleKeyDeletionCommand({ KeyId: key.keyId, PendingWindowInDays: 7 }));
    await expect(client.send(new CreateAliasCommand({ AliasName: `alias/local-${randomUUID()}`, TargetKeyId: key.keyId }))).rejects.toMatchObject({
      name: 'KMSInvalidStateException',
    });
  });

  it('answers UpdateAlias of an alias that does not exist with NotFoundException', async () => {
    const key = await createSigningKey();
    await expect(client.send(new UpdateAliasCommand({ AliasName: `alias/local-${randomUUID()}`, TargetKeyId: key.keyId }))).rejects.toMatchObject({
      name: 'NotFoundException',
    });
  });
});
