// The deploy-time custom resource (functions/public-key-jwk) that writes signing keys' public halves
// into the verifying functions' configuration, against the local KMS endpoint; the local stack plays
// CloudFormation with the same handler.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPublicKeyJwkHandler } from '../../functions/public-key-jwk/create-handler.js';
import { deployedPublicKeys, publicKeyJwkEvent } from '../../local/deployed-public-keys.js';
import { type RunningKmsServer, startKmsServer } from '../../local/kms/kms-server.js';
import { ensureSigningKeys } from '../../local/signing-keys.js';
import { fetchPublicJwk } from '../../shared/adapters/kms-public-keys.js';

let dataDir: string;
let server: RunningKmsServer;
let kms: KMSClient;
const newKey = async (KeySpec: 'ECC_NIST_P256' | 'ECC_NIST_P384' = 'ECC_NIST_P256') =>
  (await kms.send(new CreateKeyCommand({ KeySpec, KeyUsage: 'SIGN_VERIFY' }))).KeyMetadata!.Arn!;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'public-key-jwk-'));
  server = await startKmsServer({ dataDir, port: 0 });
  kms = new KMSClient({ endpoint: server.url, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
});
afterAll(async () => {
  kms?.destroy();
  await server?.close();
  await rm(dataDir, { recursive: true, force: true });
});

describe('the public-key-jwk custom resource', () => {
  it('answers Create and Update with the key\'s public JWK, the key ARN as physical id', async () => {
    const keyArn = await newKey();
    const handler = createPublicKeyJwkHandler(kms);
    for (const requestType of ['Create', 'Update'] as const) {
      const result = await handler(publicKeyJwkEvent(requestType, keyArn));
      expect(result.PhysicalResourceId).toBe(keyArn);
      expect(JSON.parse(result.Data!.Jwk)).toEqual(await fetchPublicJwk(kms, keyArn));
    }
  });

  it('deletes nothing and asks KMS nothing on Delete', async () => {
    const before = server.callCount('GetPublicKey');
    expect(await createPublicKeyJwkHandler(kms)(publicKeyJwkEvent('Delete', 'arn:aws:kms:us-east-1:000000000000:key/gone'))).toEqual({
      PhysicalResourceId: 'arn:aws:kms:us-east-1:000000000000:key/gone',
    });
    expect(server.callCount('GetPublicKey')).toBe(before);
  });

  it('fails the deployment for a KeyArn that is not a KMS key ARN, or a key that is not P-256', async () => {
    await expect(createPublicKeyJwkHandler(kms)(publicKeyJwkEvent('Create', 'alias/payments'))).rejects.toThrow(/KeyArn must be a KMS key ARN/);
    await expect(createPublicKeyJwkHandler(kms)(publicKeyJwkEvent('Create', await newKey('ECC_NIST_P384')))).rejects.toThrow(/not an ECC_NIST_P256/);
  });
});

describe('the local stack, playing CloudFormation', () => {
  it('writes the trusted payment keys as a JSON array, current first, and the verdict and config keys as one JWK each', async () => {
    const keys = { paymentKeyArns: [await newKey(), await newKey()], verdictKeyArn: await newKey(), configKeyArn: await newKey() };
    const deployed = await deployedPublicKeys(kms, keys);
    expect(JSON.parse(deployed.trustedPaymentKeys)).toEqual([await fetchPublicJwk(kms, keys.paymentKeyArns[0]!), await fetchPublicJwk(kms, keys.paymentKeyArns[1]!)]);
    expect(JSON.parse(deployed.verdictKey)).toEqual(await fetchPublicJwk(kms, keys.verdictKeyArn));
    expect(JSON.parse(deployed.configKey)).toEqual(await fetchPublicJwk(kms, keys.configKeyArn));
  });
});

describe('the local signing keys', () => {
  it('gain a config key on the first start after an upgrade, recorded beside the keys the data directory already had', async () => {
    const keysDir = await mkdtemp(join(tmpdir(), 'signing-keys-'));
    try {
      // A file of the previous release: payment and verdict keys only.
      const earlier = { paymentKeyArns: [await newKey()], verdictKeyArn: await newKey(), currentSince: new Date().toISOString() };
      await writeFile(join(keysDir, 'signing-keys.json'), JSON.stringify(earlier));
      const upgraded = await ensureSigningKeys(kms, keysDir);
      expect(upgraded).toEqual({ ...earlier, configKeyArn: expect.stringMatching(/^arn:aws:kms:.*:key\//) });
      expect(await fetchPublicJwk(kms, upgraded.configKeyArn)).toMatchObject({ kty: 'EC', crv: 'P-256' });
      // Kept: the next start finds the same config key, and makes none.
      expect(JSON.parse(await readFile(join(keysDir, 'signing-keys.json'), 'utf8'))).toEqual(upgraded);
      expect(await ensureSigningKeys(kms, keysDir)).toEqual(upgraded);
    } finally {
      await rm(keysDir, { recursive: true, force: true });
    }
  });
});
