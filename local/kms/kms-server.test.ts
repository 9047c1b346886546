// The local endpoint's HTTP wire behaviour, and what survives a restart: things the contract suite
// cannot check against moto.
import {
  CreateAliasCommand,
  CreateKeyCommand,
  DescribeKeyCommand,
  DisableKeyCommand,
  EncryptCommand,
  GetPublicKeyCommand,
  SignCommand,
  VerifyCommand,
} from '@aws-sdk/client-kms';
import { verify } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startKmsServer } from './kms-server.js';
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

describe('the local KMS endpoint on the wire', () => {
  it('answers a KMS action it does not implement with UnknownOperationException', async () => {
    const { client } = await start();
    await expect(client.send(new EncryptCommand({ KeyId: 'alias/any', Plaintext: message }))).rejects.toMatchObject({
      name: 'UnknownOperationException',
      message: expect.stringContaining('Encrypt is not implemented'),
    });
  });

  it('answers a request without x-amz-target with a 400 UnknownOperationException in KMS JSON', async () => {
    const { server } = await start();
    const answer = await post(server.url, {}, '{}');
    expect(answer.status).toBe(400);
    expect(answer.contentType).toBe('application/x-amz-json-1.1');
    expect(answer.body).toEqual({ __type: 'UnknownOperationException', message: expect.stringContaining('x-amz-target') });
  });

  it('answers a target of another service with UnknownOperationException', async () => {
    const { server } = await start();
    const answer = await post(server.url, { 'x-amz-target': 'DynamoDB_20120810.ListTables' }, '{}');
    expect(answer).toMatchObject({ status: 400, body: { __type: 'UnknownOperationException' } });
  });

  it('answers a body that is not JSON, or a member of the wrong type, with SerializationException', async () => {
    const { server } = await start();
    const notJson = await post(server.url, { 'x-amz-target': 'TrentService.ListKeys' }, '{not json');
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

  it('accepts any credentials, as it checks no signatures', async () => {
    const { server } = await start();
    const answer = await post(server.url, { 'x-amz-target': 'TrentService.ListKeys', authorization: 'AWS4-HMAC-SHA256 nonsense' }, '{}');
    expect(answer).toMatchObject({ status: 200, body: { Keys: [], Truncated: false } });
  });

  it('uses the configured region and account in ARNs', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'local-kms-scope-'));
    const server = await startKmsServer({ dataDir, region: 'eu-west-1', accountId: '111122223333' });
    try {
      const answer = await post(server.url, { 'x-amz-target': 'TrentService.CreateKey' }, JSON.stringify({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' }));
      expect((answer.body.KeyMetadata as { Arn: string }).Arn).toMatch(/^arn:aws:kms:eu-west-1:111122223333:key\//);
    } finally {
      await server.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});

describe('the local KMS endpoint across a restart on the same data directory', () => {
  it('keeps keys, their private key material, state and aliases', async () => {
    const first = await start();
    const { KeyMetadata: created } = await first.client.send(
      new CreateKeyCommand({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY', Description: 'kept' }),
    );
    const { KeyMetadata: disabledKey } = await first.client.send(new CreateKeyCommand({ KeySpec: 'ECC_NIST_P384', KeyUsage: 'SIGN_VERIFY' }));
    await first.client.send(new CreateAliasCommand({ AliasName: 'alias/response-signing', TargetKeyId: created!.KeyId }));
    await first.client.send(new DisableKeyCommand({ KeyId: disabledKey!.KeyId }));
    const signedBefore = await first.client.send(new SignCommand({ KeyId: 'alias/response-signing', Message: message, SigningAlgorithm: 'ECDSA_SHA_256' }));
    const { PublicKey: publicKeyBefore } = await first.client.send(new GetPublicKeyCommand({ KeyId: created!.KeyId }));
    await first.stop();

    const second = await start(first.dataDir);
    const { KeyMetadata: described } = await second.client.send(new DescribeKeyCommand({ KeyId: 'alias/response-signing' }));
    expect(described).toMatchObject({ KeyId: created!.KeyId, Description: 'kept', KeyState: 'Enabled' });
    expect(described?.CreationDate).toEqual(created!.CreationDate);
    const { PublicKey: publicKeyAfter } = await second.client.send(new GetPublicKeyCommand({ KeyId: created!.KeyId }));
    expect(Buffer.from(publicKeyAfter!)).toEqual(Buffer.from(publicKeyBefore!));
    await expect(
      second.client.send(
        new VerifyCommand({ KeyId: created!.KeyId, Message: message, Signature: signedBefore.Signature, SigningAlgorithm: 'ECDSA_SHA_256' }),
      ),
    ).resolves.toMatchObject({ SignatureValid: true });
    const signedAfter = await second.client.send(new SignCommand({ KeyId: created!.KeyId, Message: message, SigningAlgorithm: 'ECDSA_SHA_256' }));
    const spki = { key: Buffer.from(publicKeyBefore!), format: 'der', type: 'spki' } as const;
    expect(verify('sha256', message, spki, Buffer.from(signedAfter.Signature!))).toBe(true);
    const { KeyMetadata: stillDisabled } = await second.client.send(new DescribeKeyCommand({ KeyId: disabledKey!.KeyId }));
    expect(stillDisabled?.KeyState).toBe('Disabled');
  });
});
