// What the contract suite cannot check against moto: the local endpoint's wire behaviour, what it
// refuses because nothing here needs it, its call counts, and what survives a restart.
import {
  CreateKeyCommand,
  DescribeKeyCommand,
  EncryptCommand,
  GetPublicKeyCommand,
  type KeySpec,
  type KMSClient,
  SignCommand,
  type SigningAlgorithmSpec,
} from '@aws-sdk/client-kms';
import { createHash, verify } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startKmsServer } from '../../../local/kms/kms-server.js';
import { startLocalKms, type LocalKmsFixture } from './local-kms-fixture.js';

const message = Buffer.from('signed payment response');
let running: LocalKmsFixture[] = [];

async function start(dataDir?: string): Promise<LocalKmsFixture> {
  const kms = await startLocalKms(dataDir);
  running.push(kms);
  return kms;
}

afterEach(async () => {
  for (const kms of running) await kms.dispose();
  running = [];
});

async function post(url: string, headers: Record<string, string>, body: string) {
  const response = await fetch(`${url}/`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-amz-json-1.1', ...headers },
    body,
  });
  return { status: response.status, contentType: response.headers.get('content-type'), body: (await response.json()) as Record<string, unknown> };
}

async function createKeyArn(client: KMSClient, keySpec: KeySpec = 'ECC_NIST_P256'): Promise<string> {
  return (await client.send(new CreateKeyCommand({ KeySpec: keySpec, KeyUsage: 'SIGN_VERIFY' }))).KeyMetadata!.Arn!;
}

describe('the local KMS endpoint on the wire', () => {
  it('answers a KMS action it does not implement with UnknownOperationException', async () => {
    const { client } = await start();
    await expect(client.send(new EncryptCommand({ KeyId: 'alias/any', Plaintext: message }))).rejects.toMatchObject({
      name: 'UnknownOperationException',
      message: expect.stringContaining('Encrypt is not implemented'),
    });
  });

  it('answers a request without x-amz-target, or for another service, with a 400 UnknownOperationException in KMS JSON', async () => {
    const { server } = await start();
    const answer = await post(server.url, {}, '{}');
    expect(answer.status).toBe(400);
    expect(answer.contentType).toBe('application/x-amz-json-1.1');
    expect(answer.body).toEqual({ __type: 'UnknownOperationException', message: expect.stringContaining('x-amz-target') });
    const otherService = await post(server.url, { 'x-amz-target': 'DynamoDB_20120810.ListTables' }, '{}');
    expect(otherService).toMatchObject({ status: 400, body: { __type: 'UnknownOperationException' } });
  });

  it('answers a body that is not JSON, or a member of the wrong type, with SerializationException', async () => {
    const { server } = await start();
    const notJson = await post(server.url, { 'x-amz-target': 'TrentService.DescribeKey' }, '{not json');
    expect(notJson).toMatchObject({ status: 400, body: { __type: 'SerializationException' } });
    const wrongType = await post(server.url, { 'x-amz-target': 'TrentService.DescribeKey' }, '{"KeyId": 42}');
    expect(wrongType).toMatchObject({ status: 400, body: { __type: 'SerializationException' } });
    const notBase64 = await post(
      server.url,
      { 'x-amz-target': 'TrentService.Sign' },
      JSON.stringify({ KeyId: 'alias/x', Message: 'not base64!', SigningAlgorithm: 'ECDSA_SHA_256' }),
    );
    expect(notBase64).toMatchObject({ status: 400, body: { __type: 'SerializationException' } });
  });

  it('answers a missing required member with ValidationException in KMS wording', async () => {
    const { server } = await start();
    const answer = await post(server.url, { 'x-amz-target': 'TrentService.DescribeKey' }, '{}');
    expect(answer.body).toEqual({
      __type: 'ValidationException',
      message: "1 validation error detected: Value 'null' at 'keyId' failed to satisfy constraint: Member must not be null",
    });
  });

  it('accepts any credentials, as it checks no signatures, and uses the configured region and account in ARNs', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'local-kms-scope-'));
    const server = await startKmsServer({ dataDir, region: 'eu-west-1', accountId: '111122223333' });
    try {
      const answer = await post(
        server.url,
        { 'x-amz-target': 'TrentService.CreateKey', authorization: 'AWS4-HMAC-SHA256 nonsense' },
        JSON.stringify({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' }),
      );
      expect(answer.status).toBe(200);
      expect((answer.body.KeyMetadata as { Arn: string }).Arn).toMatch(/^arn:aws:kms:eu-west-1:111122223333:key\//);
    } finally {
      await server.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('counts the requests of each operation it answered successfully', async () => {
    const { server, client } = await start();
    const keyArn = await createKeyArn(client);
    await client.send(new SignCommand({ KeyId: keyArn, Message: message, SigningAlgorithm: 'ECDSA_SHA_256' }));
    await expect(client.send(new SignCommand({ KeyId: keyArn, Message: message, SigningAlgorithm: 'ECDSA_SHA_384' }))).rejects.toThrow();
    expect([server.callCount('CreateKey'), server.callCount('Sign'), server.callCount('GetPublicKey')]).toEqual([1, 1, 0]);
  });
});

describe('what the local KMS endpoint refuses, because nothing here needs it', () => {
  it.each(['RSA_2048', 'ECC_NIST_P521', 'ECC_SECG_P256K1', 'HMAC_256'] as const)(
    'CreateKey answers KeySpec %s, which KMS knows, with UnsupportedOperationException naming what it supports',
    async (keySpec) => {
      const { client } = await start();
      await expect(client.send(new CreateKeyCommand({ KeySpec: keySpec, KeyUsage: 'SIGN_VERIFY' }))).rejects.toMatchObject({
        name: 'UnsupportedOperationException',
        message: expect.stringContaining(`KeySpec ${keySpec} is not supported by this local KMS endpoint`),
      });
    },
  );

  it('CreateKey answers a request without KeySpec, which KMS reads as SYMMETRIC_DEFAULT, with UnsupportedOperationException', async () => {
    const { client } = await start();
    await expect(client.send(new CreateKeyCommand({}))).rejects.toMatchObject({
      name: 'UnsupportedOperationException',
      message: expect.stringContaining('SYMMETRIC_DEFAULT'),
    });
  });

  it('CreateKey rejects an ECC key whose usage is (or defaults to) ENCRYPT_DECRYPT with ValidationException, as KMS does', async () => {
    const { client } = await start();
    for (const request of [{ KeySpec: 'ECC_NIST_P256' as const }, { KeySpec: 'ECC_NIST_P256' as const, KeyUsage: 'ENCRYPT_DECRYPT' as const }]) {
      await expect(client.send(new CreateKeyCommand(request))).rejects.toMatchObject({ name: 'ValidationException' });
    }
    await expect(client.send(new CreateKeyCommand({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'KEY_AGREEMENT' }))).rejects.toMatchObject({
      name: 'UnsupportedOperationException',
    });
  });

  it('refuses request members it does not implement (Tags, DryRun, ...) with UnsupportedOperationException, rather than ignoring them', async () => {
    const { client } = await start();
    await expect(
      client.send(new CreateKeyCommand({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY', Tags: [{ TagKey: 'team', TagValue: 'payments' }] })),
    ).rejects.toMatchObject({ name: 'UnsupportedOperationException', message: expect.stringContaining('member Tags') });
    const keyArn = await createKeyArn(client);
    await expect(
      client.send(new SignCommand({ KeyId: keyArn, Message: message, SigningAlgorithm: 'ECDSA_SHA_256', DryRun: true })),
    ).rejects.toMatchObject({ name: 'UnsupportedOperationException', message: expect.stringContaining('member DryRun') });
  });

  it('Sign refuses MessageType DIGEST with UnsupportedOperationException: RAW is what KmsJwsSigner sends', async () => {
    const { client } = await start();
    const keyArn = await createKeyArn(client);
    const digest = createHash('sha256').update(message).digest();
    await expect(
      client.send(new SignCommand({ KeyId: keyArn, Message: digest, MessageType: 'DIGEST', SigningAlgorithm: 'ECDSA_SHA_256' })),
    ).rejects.toMatchObject({ name: 'UnsupportedOperationException', message: expect.stringContaining('MessageType DIGEST') });
  });

  it('finds no key by an alias, nor by an ARN of another region', async () => {
    const { client } = await start();
    const keyArn = await createKeyArn(client);
    for (const keyId of ['alias/payment-signing', keyArn.replace('us-east-1', 'eu-west-1')]) {
      await expect(client.send(new GetPublicKeyCommand({ KeyId: keyId }))).rejects.toMatchObject({ name: 'NotFoundException' });
    }
  });
});

describe('Sign request checks', () => {
  it('rejects an empty message with ValidationException', async () => {
    const { client } = await start();
    const keyArn = await createKeyArn(client);
    await expect(client.send(new SignCommand({ KeyId: keyArn, Message: new Uint8Array(0), SigningAlgorithm: 'ECDSA_SHA_256' }))).rejects.toMatchObject({
      name: 'ValidationException',
    });
  });

  it('rejects a signing algorithm KMS does not know with ValidationException listing the valid ones', async () => {
    const { client } = await start();
    const keyArn = await createKeyArn(client);
    await expect(
      client.send(new SignCommand({ KeyId: keyArn, Message: message, SigningAlgorithm: 'ECDSA_SHA_1' as SigningAlgorithmSpec })),
    ).rejects.toMatchObject({ name: 'ValidationException', message: expect.stringContaining('ECDSA_SHA_256') });
  });
});

describe('the local KMS endpoint across a restart on the same data directory', () => {
  it('keeps its keys: metadata, public key and private key material', async () => {
    const first = await start();
    const { KeyMetadata: created } = await first.client.send(
      new CreateKeyCommand({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY', Description: 'kept' }),
    );
    const p384Arn = await createKeyArn(first.client, 'ECC_NIST_P384');
    const { PublicKey: publicKeyBefore } = await first.client.send(new GetPublicKeyCommand({ KeyId: created!.KeyId }));
    await first.stop();

    const second = await start(first.dataDir);
    const { KeyMetadata: described } = await second.client.send(new DescribeKeyCommand({ KeyId: created!.Arn }));
    expect(described).toMatchObject({ KeyId: created!.KeyId, Description: 'kept', KeyState: 'Enabled' });
    expect(described?.CreationDate).toEqual(created!.CreationDate);
    const { PublicKey: publicKeyAfter } = await second.client.send(new GetPublicKeyCommand({ KeyId: created!.KeyId }));
    expect(Buffer.from(publicKeyAfter!)).toEqual(Buffer.from(publicKeyBefore!));
    const signedAfter = await second.client.send(new SignCommand({ KeyId: created!.KeyId, Message: message, SigningAlgorithm: 'ECDSA_SHA_256' }));
    const spki = { key: Buffer.from(publicKeyBefore!), format: 'der', type: 'spki', dsaEncoding: 'der' } as const;
    expect(verify('sha256', message, spki, Buffer.from(signedAfter.Signature!))).toBe(true);
    await expect(second.client.send(new DescribeKeyCommand({ KeyId: p384Arn }))).resolves.toMatchObject({
      KeyMetadata: { KeySpec: 'ECC_NIST_P384' },
    });
  });
});
