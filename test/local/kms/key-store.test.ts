// What the key store leaves on disk, and how it treats what it finds there at start.
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KeyStore, type StoredKey } from '../../../local/kms/key-store.js';

let directory: string;

beforeEach(async () => {
  directory = join(await mkdtemp(join(tmpdir(), 'local-kms-store-')), 'kms');
});

afterEach(async () => {
  await rm(join(directory, '..'), { recursive: true, force: true });
});

function newKey(keyId: string): StoredKey {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return { keyId, keySpec: 'ECC_NIST_P256', description: '', creationDate: new Date('2025-01-01T00:00:00.000Z'), privateKey };
}

const KEY_ID = '0b1e6f0e-5f4a-4c8e-9d3a-2f1e0c9b8a7d';

describe('the key store', () => {
  it('creates its directory when missing and keeps each key as PKCS#8 in its own file', async () => {
    const store = await KeyStore.open(directory);
    await store.save(newKey(KEY_ID));
    const file = JSON.parse(await readFile(join(directory, `${KEY_ID}.json`), 'utf8'));
    expect(file).toMatchObject({ keyId: KEY_ID, keySpec: 'ECC_NIST_P256' });
    expect(file.privateKeyPkcs8).toMatch(/^-----BEGIN PRIVATE KEY-----/);
  });

  it('leaves no temporary files behind after many concurrent saves, and finds every key again', async () => {
    const store = await KeyStore.open(directory);
    const keys = Array.from({ length: 20 }, () => newKey(randomUUID()));
    await Promise.all(keys.map((key) => store.save(key)));
    expect((await readdir(directory)).sort()).toEqual(keys.map((key) => `${key.keyId}.json`).sort());
    const reopened = await KeyStore.open(directory);
    for (const key of keys) expect(reopened.find(key.keyId)?.privateKey.equals(key.privateKey)).toBe(true);
  });

  it('keeps what earlier versions of the endpoint wrote, so an existing data directory keeps its keys', async () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    await mkdir(directory, { recursive: true });
    const earlierFile = {
      formatVersion: 1,
      keyId: KEY_ID,
      keySpec: 'ECC_NIST_P256',
      keyUsage: 'SIGN_VERIFY',
      description: 'local payment response signing key',
      creationDate: '2025-01-01T00:00:00.000Z',
      state: 'Enabled',
      tags: [],
      privateKeyPkcs8: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
    };
    await writeFile(join(directory, `${KEY_ID}.json`), JSON.stringify(earlierFile));
    const key = (await KeyStore.open(directory)).find(KEY_ID);
    expect(key).toMatchObject({ keySpec: 'ECC_NIST_P256', description: 'local payment response signing key' });
    expect(key?.privateKey.equals(privateKey)).toBe(true);
  });

  it('removes temporary files a crash left behind, keeping the intact key file', async () => {
    const store = await KeyStore.open(directory);
    await store.save(newKey(KEY_ID));
    const leftover = join(directory, `${KEY_ID}.json.1234.tmp`);
    await writeFile(leftover, '{"formatVersion": 1, "keyId": "half-writ');
    const reopened = await KeyStore.open(directory);
    expect(reopened.find(KEY_ID)).toBeDefined();
    expect(await readdir(directory)).toEqual([`${KEY_ID}.json`]);
  });

  it('refuses to start on a damaged key file, naming the file, rather than losing the key silently', async () => {
    const store = await KeyStore.open(directory);
    await store.save(newKey(KEY_ID));
    const path = join(directory, `${KEY_ID}.json`);
    await writeFile(path, '{"formatVersion": 1}');
    await expect(KeyStore.open(directory)).rejects.toThrow(path);
  });
});
