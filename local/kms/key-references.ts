// How a request names a KMS key, and how KMS resolves the name. KMS accepts four forms:
//   key id      1234abcd-12ab-34cd-56ef-1234567890ab
//   key ARN     arn:aws:kms:us-east-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab
//   alias name  alias/ExampleAlias
//   alias ARN   arn:aws:kms:us-east-2:111122223333:alias/ExampleAlias
// Operations that manage a key itself (EnableKey, ScheduleKeyDeletion, CreateAlias's target, ...) take
// only the first two; using an alias there is an error, as in KMS.
import { KmsError } from './errors.js';
import type { KeyStore, StoredKey } from './key-store.js';

/** The region and account this endpoint pretends to be: they appear in every ARN. */
export interface KmsScope {
  region: string;
  accountId: string;
}

export type KeyReference = { kind: 'key'; keyId: string; arn?: string } | { kind: 'alias'; aliasName: string; arn?: string };

/** The length limits of every KeyId-like request member. */
export const KEY_ID_LENGTH = { min: 1, max: 2048 };

const KEY_ID = /^(mrk-)?[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ARN = /^arn:[^:]+:kms:[^:]*:[^:]*:(?<resource>key|alias)\/(?<name>.+)$/;

export function keyArn(scope: KmsScope, keyId: string): string {
  return `arn:aws:kms:${scope.region}:${scope.accountId}:key/${keyId}`;
}

export function aliasArn(scope: KmsScope, aliasName: string): string {
  return `arn:aws:kms:${scope.region}:${scope.accountId}:${aliasName}`;
}

/** Reads any of the four forms; undefined when the text is none of them. */
export function parseKeyReference(text: string): KeyReference | undefined {
  if (text.startsWith('alias/')) return { kind: 'alias', aliasName: text };
  const arn = ARN.exec(text)?.groups;
  if (arn) {
    const { resource, name } = arn as { resource: 'key' | 'alias'; name: string };
    return resource === 'alias'
      ? { kind: 'alias', aliasName: `alias/${name}`, arn: text }
      : KEY_ID.test(name)
        ? { kind: 'key', keyId: name, arn: text }
        : undefined;
  }
  return KEY_ID.test(text) ? { kind: 'key', keyId: text } : undefined;
}

/** Finds the key a request names, by any of the four forms. */
export function resolveKey(store: KeyStore, scope: KmsScope, text: string): StoredKey {
  const reference = parseKeyReference(text);
  if (!reference) throw new KmsError('NotFoundException', `Invalid keyId ${text}`);
  if (reference.kind === 'key') return findKey(store, scope, reference);
  const notFound = new KmsError('NotFoundException', `Alias ${reference.arn ?? aliasArn(scope, reference.aliasName)} is not found.`);
  if (reference.arn !== undefined && reference.arn !== aliasArn(scope, reference.aliasName)) throw notFound;
  const alias = store.findAlias(reference.aliasName);
  const key = alias && store.findKey(alias.targetKeyId);
  if (!key) throw notFound;
  return key;
}

/** Finds the key a request names by key id or key ARN only, as key management operations require. */
export function resolveKeyWithoutAlias(store: KeyStore, scope: KmsScope, text: string): StoredKey {
  const reference = parseKeyReference(text);
  if (reference?.kind !== 'key') throw new KmsError('NotFoundException', `Invalid keyId ${text}`);
  return findKey(store, scope, reference);
}

function findKey(store: KeyStore, scope: KmsScope, reference: { keyId: string; arn?: string }): StoredKey {
  const arn = reference.arn ?? keyArn(scope, reference.keyId);
  // An ARN of another region or account names a key that cannot be here.
  const key = arn === keyArn(scope, reference.keyId) ? store.findKey(reference.keyId) : undefined;
  if (!key) throw new KmsError('NotFoundException', `Key '${arn}' does not exist`);
  return key;
}

/** Using a key's material (GetPublicKey, Sign, Verify) needs an enabled key; the errors are KMS's. */
export function requireEnabled(key: StoredKey, scope: KmsScope): void {
  if (key.state === 'Disabled') throw new KmsError('DisabledException', `${keyArn(scope, key.keyId)} is disabled.`);
  if (key.state === 'PendingDeletion') throw pendingDeletionError(key, scope);
}

export function pendingDeletionError(key: StoredKey, scope: KmsScope): KmsError {
  return new KmsError('KMSInvalidStateException', `${keyArn(scope, key.keyId)} is pending deletion.`);
}
