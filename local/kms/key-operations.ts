// The KMS actions that create, describe, list and change the state of keys.
import { generateKeyPair as generateKeyPairCallback, randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { KmsError } from './errors.js';
import { epochSeconds, type KmsContext, type KmsOperation } from './kms-context.js';
import { keyMetadata } from './key-metadata.js';
import { KEY_ID_LENGTH, keyArn, pendingDeletionError, resolveKey, resolveKeyWithoutAlias } from './key-references.js';
import { KMS_CUSTOMER_MASTER_KEY_SPECS, KMS_KEY_SPECS, KMS_KEY_USAGES, KMS_ORIGINS, localKeySpec } from './key-specs.js';
import type { StoredKey } from './key-store.js';
import { paginate } from './pagination.js';
import {
  optionalBoolean,
  optionalEnum,
  optionalInteger,
  optionalList,
  optionalString,
  requiredString,
  type RequestBody,
} from './request-fields.js';
import { parseTags } from './tags.js';

const generateKeyPair = promisify(generateKeyPairCallback);
const DAY_MS = 24 * 60 * 60 * 1000;

export const createKey: KmsOperation = async ({ store, scope, now }, body) => {
  const keySpec = optionalEnum(body, 'KeySpec', KMS_KEY_SPECS);
  const legacyKeySpec = optionalEnum(body, 'CustomerMasterKeySpec', KMS_CUSTOMER_MASTER_KEY_SPECS);
  if (keySpec !== undefined && legacyKeySpec !== undefined) {
    throw new KmsError('ValidationException', 'You cannot specify KeySpec and CustomerMasterKeySpec in the same request. CustomerMasterKeySpec is deprecated.');
  }
  const requestedSpec = keySpec ?? legacyKeySpec ?? 'SYMMETRIC_DEFAULT';
  const keyUsage = optionalEnum(body, 'KeyUsage', KMS_KEY_USAGES) ?? 'ENCRYPT_DECRYPT'; // KMS's default
  const origin = optionalEnum(body, 'Origin', KMS_ORIGINS) ?? 'AWS_KMS';
  const description = optionalString(body, 'Description', { max: 8192 }) ?? '';
  optionalString(body, 'Policy', { min: 1, max: 131072 }); // accepted; this endpoint authorizes nothing
  optionalBoolean(body, 'BypassPolicyLockoutSafetyCheck');
  const multiRegion = optionalBoolean(body, 'MultiRegion') ?? false;
  const customKeyStoreId = optionalString(body, 'CustomKeyStoreId', { min: 1, max: 64 });
  const tags = parseTags(optionalList(body, 'Tags'));

  const spec = localKeySpec(requestedSpec);
  if (!spec) {
    throw new KmsError(
      'UnsupportedOperationException',
      `KeySpec ${requestedSpec} is not supported by this local KMS endpoint: it creates only ECC_NIST_P256 and ECC_NIST_P384 keys with KeyUsage SIGN_VERIFY`,
    );
  }
  if (keyUsage === 'KEY_AGREEMENT') {
    throw new KmsError('UnsupportedOperationException', 'KeyUsage KEY_AGREEMENT is not supported by this local KMS endpoint: use SIGN_VERIFY');
  }
  if (keyUsage !== 'SIGN_VERIFY') {
    throw new KmsError('ValidationException', `KeyUsage ${keyUsage} is not compatible with KeySpec ${spec.keySpec}: ECC keys take SIGN_VERIFY or KEY_AGREEMENT`);
  }
  if (origin !== 'AWS_KMS' || customKeyStoreId !== undefined || multiRegion) {
    throw new KmsError('UnsupportedOperationException', 'This local KMS endpoint creates only single-Region keys with Origin AWS_KMS in its own key store');
  }

  const { privateKey, publicKey } = await generateKeyPair('ec', { namedCurve: spec.namedCurve });
  const key: StoredKey = {
    keyId: randomUUID(),
    keySpec: spec.keySpec,
    keyUsage: 'SIGN_VERIFY',
    description,
    creationDate: now(),
    state: 'Enabled',
    tags,
    privateKey,
    publicKey,
  };
  await store.saveKey(key);
  return { KeyMetadata: keyMetadata(key, scope) };
};

export const describeKey: KmsOperation = async ({ store, scope }, body) => {
  const key = resolveKey(store, scope, requiredString(body, 'KeyId', KEY_ID_LENGTH));
  return { KeyMetadata: keyMetadata(key, scope) };
};

export const listKeys: KmsOperation = async ({ store, scope }, body) => {
  const limit = optionalInteger(body, 'Limit', { min: 1, max: 1000 }) ?? 100;
  const marker = optionalString(body, 'Marker', { min: 1, max: 1024 });
  const page = paginate(store.listKeys(), (key) => key.keyId, limit, marker);
  return { Keys: page.items.map((key) => ({ KeyId: key.keyId, KeyArn: keyArn(scope, key.keyId) })), ...page.paging };
};

export const enableKey: KmsOperation = async (context, body) => {
  const key = keyToManage(context, body);
  if (key.state === 'PendingDeletion') throw pendingDeletionError(key, context.scope);
  await context.store.saveKey({ ...key, state: 'Enabled' });
  return {};
};

export const disableKey: KmsOperation = async (context, body) => {
  const key = keyToManage(context, body);
  if (key.state === 'PendingDeletion') throw pendingDeletionError(key, context.scope);
  await context.store.saveKey({ ...key, state: 'Disabled' });
  return {};
};

export const scheduleKeyDeletion: KmsOperation = async (context, body) => {
  const pendingWindowInDays = optionalInteger(body, 'PendingWindowInDays', { min: 7, max: 30 }) ?? 30;
  const key = keyToManage(context, body);
  if (key.state === 'PendingDeletion') throw pendingDeletionError(key, context.scope);
  const deletionDate = new Date(context.now().getTime() + pendingWindowInDays * DAY_MS);
  await context.store.saveKey({ ...key, state: 'PendingDeletion', deletionDate });
  return {
    KeyId: keyArn(context.scope, key.keyId),
    DeletionDate: epochSeconds(deletionDate),
    KeyState: 'PendingDeletion',
    PendingWindowInDays: pendingWindowInDays,
  };
};

/** A key whose deletion is cancelled comes back disabled, as in KMS: enabling it is a separate step. */
export const cancelKeyDeletion: KmsOperation = async (context, body) => {
  const key = keyToManage(context, body);
  if (key.state !== 'PendingDeletion') {
    throw new KmsError('KMSInvalidStateException', `${keyArn(context.scope, key.keyId)} is not pending deletion.`);
  }
  const { deletionDate: _cancelled, ...rest } = key;
  await context.store.saveKey({ ...rest, state: 'Disabled' });
  return { KeyId: keyArn(context.scope, key.keyId) };
};

export const listResourceTags: KmsOperation = async (context, body) => {
  const limit = optionalInteger(body, 'Limit', { min: 1, max: 50 }) ?? 50;
  const marker = optionalString(body, 'Marker', { min: 1, max: 1024 });
  const key = keyToManage(context, body);
  const page = paginate(key.tags, (tag) => tag.TagKey, limit, marker);
  return { Tags: page.items, ...page.paging };
};

/**
 * KMS deletes a key, and every alias that points to it, once its waiting period is over.
 * Called before each request, so nothing needs a timer.
 */
export async function deleteKeysPastDeletionDate({ store, now }: KmsContext): Promise<void> {
  const current = now().getTime();
  for (const key of store.listKeys()) {
    if (key.state !== 'PendingDeletion' || !key.deletionDate || key.deletionDate.getTime() > current) continue;
    for (const alias of store.listAliases()) {
      if (alias.targetKeyId === key.keyId) await store.deleteAlias(alias.aliasName);
    }
    await store.deleteKey(key.keyId);
  }
}

function keyToManage({ store, scope }: KmsContext, body: RequestBody): StoredKey {
  return resolveKeyWithoutAlias(store, scope, requiredString(body, 'KeyId', KEY_ID_LENGTH));
}
