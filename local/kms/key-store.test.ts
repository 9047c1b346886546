// What the key store leaves on disk, and how it treats what it finds there at start.
import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KeyStore, type StoredKey } from './key-store.js';

let directory: string;

beforeEach(async () => {
  directory = join(await mkdtemp(join(tmpdir(), 'local-kms-store-')), 'kms');
});

afterEach(async () => {
  await rm(join(directory, '..'), { recursive: true, force: true });
});

function newKey(keyId: string): StoredKey {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return {
    keyId,
    keySpec: 'ECC_NIST_P256',
    keyUsage: 'SIGN_VERIFY',
    description: '',
    creationDate: new Date('2025-01-01T00:00:00.000Z'),
    state: 'Enabled',
    tags: [],
    privateKey,
    publicKey,
  };
}

const KEY_ID = '0b1e6f0e-5f4a-4c8e-9d3a-2f1e0c9b8a7d';

describe('the key store', () => {
  it('creates its directory when missing and keeps each key as PKCS#8 in its own file', async () => {
    const store = await KeyStore.open(directory);
    await store.saveKey(newKey(KEY_ID));
    const file = JSON.parse(await readFile(join(directory, 'keys', `${KEY_ID}.json`), 'utf8'));
    expect(file).toMatchObject({ keyId: KEY_ID, keySpec: 'ECC_NIST_P256', state: 'Enabled' });
    expect(file.privateKeyPkcs8).toMatch(/^-----BEGIN PRIVATE KEY-----/);
  });

  it('leaves no temporary files behind after many overlapping writes, and the last write wins', async () => {
    const store = await KeyStore.open(directory);
    const key = newKey(KEY_ID);
    await Promise.all(Array.from({ length: 20 }, (_, index) => store.saveKey({ ...key, description: `version ${index}` })));
    await Promise.all(
      Array.from({ length: 20 }, (_, index) =>
        store.saveAlias({ aliasName: `alias/a${index}`, targetKeyId: KEY_ID, creationDate: new Date(), lastUpdatedDate: new Date() }),
      ),
    );
    expect(await readdir(join(directory, 'keys'))).toEqual([`${KEY_ID}.json`]);
    expect((await readdir(directory)).sort()).toEqual(['aliases.json', 'keys']);
    const reopened = await KeyStore.open(directory);
    expect(reopened.findKey(KEY_ID)?.description).toBe('version 19');
    expect(reopened.listAliases()).toHaveLength(20);
  });

  it('removes temporary files a crash left behind, keeping the intact key file', async () => {
    const store = await KeyStore.open(directory);
    await store.saveKey(newKey(KEY_ID));
    const leftover = join(directory, 'keys', `${KEY_ID}.json.1234.tmp`);
    await writeFile(leftover, '{"formatVersion": 1, "keyId": "half-writ');
    const reopened = await KeyStore.open(directory);
    expect(reopened.findKey(KEY_ID)).toBeDefined();
    expect(await readdir(join(directory, 'keys'))).toEqual([`${KEY_ID}.json`]);
  });

  it('refuses to start on a damaged key file, naming the file, rather than losing the key silently', async () => {
    const store = await KeyStore.open(directory);
    await store.saveKey(newKey(KEY_ID));
    const path = join(directory, 'keys', `${KEY_ID}.json`);
    await writeFile(path, '{"formatVersion": 1}');
    await expect(KeyStore.open(directory)).rejects.toThrow(path);
  });
});
