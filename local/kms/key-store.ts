// Keeps the endpoint's keys and aliases in memory and on disk, so they survive a restart:
//   <dir>/keys/<key id>.json   one file per key: metadata, state and the PKCS#8 private key
//   <dir>/aliases.json         every alias
// Reads come from memory. A change updates memory at once (so concurrent requests see it) and is
// written atomically through one queue, so the files on disk follow the same order as the changes.
import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { TEMPORARY_SUFFIX, writeFileAtomically } from './atomic-file.js';
import type { EccKeySpec } from './key-specs.js';

export type KeyState = 'Enabled' | 'Disabled' | 'PendingDeletion';

export interface Tag {
  TagKey: string;
  TagValue: string;
}

export interface StoredKey {
  keyId: string;
  keySpec: EccKeySpec['keySpec'];
  keyUsage: 'SIGN_VERIFY';
  description: string;
  creationDate: Date;
  state: KeyState;
  /** set while the state is PendingDeletion */
  deletionDate?: Date;
  tags: Tag[];
  privateKey: KeyObject;
  publicKey: KeyObject;
}

export interface StoredAlias {
  aliasName: string;
  targetKeyId: string;
  creationDate: Date;
  lastUpdatedDate: Date;
}

const KEY_FILE_SCHEMA = z.object({
  formatVersion: z.literal(1),
  keyId: z.string().min(1),
  keySpec: z.enum(['ECC_NIST_P256', 'ECC_NIST_P384']),
  keyUsage: z.literal('SIGN_VERIFY'),
  description: z.string(),
  creationDate: z.iso.datetime(),
  state: z.enum(['Enabled', 'Disabled', 'PendingDeletion']),
  deletionDate: z.iso.datetime().optional(),
  tags: z.array(z.object({ TagKey: z.string(), TagValue: z.string() })),
  privateKeyPkcs8: z.string().startsWith('-----BEGIN PRIVATE KEY-----'),
});

const ALIASES_FILE_SCHEMA = z.object({
  formatVersion: z.literal(1),
  aliases: z.array(
    z.object({
      aliasName: z.string().min(1),
      targetKeyId: z.string().min(1),
      creationDate: z.iso.datetime(),
      lastUpdatedDate: z.iso.datetime(),
    }),
  ),
});

export class KeyStore {
  private writes: Promise<void> = Promise.resolve();

  private constructor(
    private readonly directory: string,
    private readonly keys: Map<string, StoredKey>,
    private readonly aliases: Map<string, StoredAlias>,
  ) {}

  /** Loads what an earlier run left in `directory`, creating the directory when it is missing. */
  static async open(directory: string): Promise<KeyStore> {
    await mkdir(join(directory, 'keys'), { recursive: true });
    const keys = await loadKeys(join(directory, 'keys'));
    const aliases = await loadAliases(join(directory, 'aliases.json'));
    return new KeyStore(directory, keys, aliases);
  }

  findKey(keyId: string): StoredKey | undefined {
    return this.keys.get(keyId);
  }

  /** Oldest first, so that paging through them is stable. */
  listKeys(): StoredKey[] {
    return [...this.keys.values()].sort(
      (a, b) => a.creationDate.getTime() - b.creationDate.getTime() || a.keyId.localeCompare(b.keyId),
    );
  }

  saveKey(key: StoredKey): Promise<void> {
    this.keys.set(key.keyId, key);
    const contents = serializeKey(key);
    return this.enqueue(() => writeFileAtomically(this.keyPath(key.keyId), contents));
  }

  deleteKey(keyId: string): Promise<void> {
    this.keys.delete(keyId);
    return this.enqueue(() => rm(this.keyPath(keyId), { force: true }));
  }

  findAlias(aliasName: string): StoredAlias | undefined {
    return this.aliases.get(aliasName);
  }

  /** Sorted by name. */
  listAliases(): StoredAlias[] {
    return [...this.aliases.values()].sort((a, b) => a.aliasName.localeCompare(b.aliasName));
  }

  saveAlias(alias: StoredAlias): Promise<void> {
    this.aliases.set(alias.aliasName, alias);
    return this.enqueue(() => this.writeAliases());
  }

  deleteAlias(aliasName: string): Promise<void> {
    this.aliases.delete(aliasName);
    return this.enqueue(() => this.writeAliases());
  }

  /** Resolves once every change made so far is on disk. */
  async flush(): Promise<void> {
    await this.writes;
  }

  private enqueue(write: () => Promise<void>): Promise<void> {
    const done = this.writes.then(write);
    this.writes = done.catch(() => undefined); // one failed write must not block the ones after it
    return done;
  }

  // Serialised when the write runs, not when it was queued: the file then holds the latest aliases.
  private writeAliases(): Promise<void> {
    const file: z.input<typeof ALIASES_FILE_SCHEMA> = {
      formatVersion: 1,
      aliases: this.listAliases().map((alias) => ({
        aliasName: alias.aliasName,
        targetKeyId: alias.targetKeyId,
        creationDate: alias.creationDate.toISOString(),
        lastUpdatedDate: alias.lastUpdatedDate.toISOString(),
      })),
    };
    return writeFileAtomically(join(this.directory, 'aliases.json'), `${JSON.stringify(file, null, 2)}\n`);
  }

  private keyPath(keyId: string): string {
    return join(this.directory, 'keys', `${keyId}.json`);
  }
}

function serializeKey(key: StoredKey): string {
  const file: z.input<typeof KEY_FILE_SCHEMA> = {
    formatVersion: 1,
    keyId: key.keyId,
    keySpec: key.keySpec,
    keyUsage: key.keyUsage,
    description: key.description,
    creationDate: key.creationDate.toISOString(),
    state: key.state,
    deletionDate: key.deletionDate?.toISOString(),
    tags: key.tags,
    privateKeyPkcs8: key.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
  };
  return `${JSON.stringify(file, null, 2)}\n`;
}

async function loadKeys(keysDirectory: string): Promise<Map<string, StoredKey>> {
  const keys = new Map<string, StoredKey>();
  for (const name of await readdir(keysDirectory)) {
    const path = join(keysDirectory, name);
    if (name.endsWith(TEMPORARY_SUFFIX)) {
      await rm(path, { force: true }); // left by a write that a crash interrupted; the real file is intact
      continue;
    }
    if (!name.endsWith('.json')) continue;
    const file = parseFile(path, KEY_FILE_SCHEMA, await readFile(path, 'utf8'));
    const privateKey = createPrivateKey(file.privateKeyPkcs8);
    keys.set(file.keyId, {
      keyId: file.keyId,
      keySpec: file.keySpec,
      keyUsage: file.keyUsage,
      description: file.description,
      creationDate: new Date(file.creationDate),
      state: file.state,
      deletionDate: file.deletionDate === undefined ? undefined : new Date(file.deletionDate),
      tags: file.tags,
      privateKey,
      publicKey: createPublicKey(privateKey),
    });
  }
  return keys;
}

async function loadAliases(path: string): Promise<Map<string, StoredAlias>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return new Map();
    throw error;
  }
  const file = parseFile(path, ALIASES_FILE_SCHEMA, text);
  return new Map(
    file.aliases.map((alias) => [
      alias.aliasName,
      {
        aliasName: alias.aliasName,
        targetKeyId: alias.targetKeyId,
        creationDate: new Date(alias.creationDate),
        lastUpdatedDate: new Date(alias.lastUpdatedDate),
      },
    ]),
  );
}

/** A damaged file stops the start with its path, rather than losing keys silently. */
function parseFile<T extends z.ZodType>(path: string, schema: T, text: string): z.output<T> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new Error(`local KMS: ${path} is not valid JSON: ${(error as Error).message}`);
  }
  const result = schema.safeParse(json);
  if (!result.success) throw new Error(`local KMS: ${path} is not a file this endpoint wrote: ${result.error.message}`);
  return result.data;
}
