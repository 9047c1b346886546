// The endpoint's keys, in memory and on disk so that they survive a restart: one file per key,
// `<directory>/<key id>.json`, with its metadata and PKCS#8 private key. A key never changes after
// CreateKey, so each file is written once, atomically, before CreateKey answers. The format is the
// one earlier versions of this endpoint wrote (formatVersion 1): an existing `.local` keeps its keys.
import { createPrivateKey, type KeyObject, randomUUID } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import * as z from '../../shared/zod.js';

export interface StoredKey {
  keyId: string;
  keySpec: 'ECC_NIST_P256' | 'ECC_NIST_P384';
  description: string;
  creationDate: Date;
  privateKey: KeyObject;
}

const KEY_FILE = z.object({
  formatVersion: z.literal(1),
  keyId: z.uuid(),
  keySpec: z.enum(['ECC_NIST_P256', 'ECC_NIST_P384']),
  description: z.string(),
  creationDate: z.iso.datetime(),
  privateKeyPkcs8: z.string().check(z.startsWith('-----BEGIN PRIVATE KEY-----')),
});

/** Temporary files end with this, so that a start after a crash can recognise and remove them. */
const TEMPORARY_SUFFIX = '.tmp';

export class KeyStore {
  private constructor(
    private readonly directory: string,
    private readonly keys: Map<string, StoredKey>,
  ) {}

  /** Loads what an earlier run left in `directory`, creating the directory when it is missing. */
  static async open(directory: string): Promise<KeyStore> {
    await mkdir(directory, { recursive: true });
    const keys = new Map<string, StoredKey>();
    for (const name of await readdir(directory)) {
      const path = join(directory, name);
      // Left by a write a crash interrupted: CreateKey never answered with that key.
      if (name.endsWith(TEMPORARY_SUFFIX)) await rm(path, { force: true });
      if (!name.endsWith('.json')) continue;
      const key = parseKeyFile(path, await readFile(path, 'utf8'));
      keys.set(key.keyId, key);
    }
    return new KeyStore(directory, keys);
  }

  find(keyId: string): StoredKey | undefined {
    return this.keys.get(keyId);
  }

  /** Resolves once the key is on disk: a key id CreateKey has answered with must survive a restart. */
  async save(key: StoredKey): Promise<void> {
    const file: z.input<typeof KEY_FILE> = {
      formatVersion: 1,
      keyId: key.keyId,
      keySpec: key.keySpec,
      description: key.description,
      creationDate: key.creationDate.toISOString(),
      privateKeyPkcs8: key.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
    };
    await writeFileAtomically(join(this.directory, `${key.keyId}.json`), `${JSON.stringify(file, null, 2)}\n`);
    this.keys.set(key.keyId, key);
  }
}

/** A damaged file stops the start and names the file, rather than losing a key silently. */
function parseKeyFile(path: string, text: string): StoredKey {
  let file: z.output<typeof KEY_FILE>;
  try {
    file = KEY_FILE.parse(JSON.parse(text));
  } catch (error) {
    throw new Error(`local KMS: ${path} is not a key file this endpoint wrote: ${(error as Error).message}`);
  }
  const { keyId, keySpec, description, creationDate, privateKeyPkcs8 } = file;
  return { keyId, keySpec, description, creationDate: new Date(creationDate), privateKey: createPrivateKey(privateKeyPkcs8) };
}

/**
 * Writes to a temporary file in the same directory, flushes it, then renames it over the target:
 * rename() is atomic within a file system, so a reader sees the old file or the new one, never half.
 */
async function writeFileAtomically(path: string, data: string): Promise<void> {
  const temporaryPath = `${path}.${randomUUID()}${TEMPORARY_SUFFIX}`;
  try {
    const handle = await open(temporaryPath, 'wx', 0o600); // it holds a private key
    try {
      await handle.writeFile(data, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temporaryPath, path);
  } catch (error) {
    await rm(temporaryPath, { force: true });
    throw error;
  }
}
