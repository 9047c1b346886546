// The KMS actions on aliases: friendly names (alias/...) that point to one key and can be moved to another.
import { KmsError, validationError } from './errors.js';
import { epochSeconds, type KmsContext, type KmsOperation } from './kms-context.js';
import { KEY_ID_LENGTH, aliasArn, parseKeyReference, pendingDeletionError, resolveKeyWithoutAlias } from './key-references.js';
import type { StoredKey } from './key-store.js';
import { paginate } from './pagination.js';
import { optionalInteger, optionalString, requiredString, type RequestBody } from './request-fields.js';

const ALIAS_NAME_PATTERN = /^[a-zA-Z0-9:/_-]+$/;

export const createAlias: KmsOperation = async (context, body) => {
  const aliasName = readAliasName(body);
  const key = readTargetKey(context, body);
  if (context.store.findAlias(aliasName)) {
    throw new KmsError('AlreadyExistsException', `An alias with the name ${aliasArn(context.scope, aliasName)} already exists`);
  }
  const now = context.now();
  await context.store.saveAlias({ aliasName, targetKeyId: key.keyId, creationDate: now, lastUpdatedDate: now });
  return {};
};

export const updateAlias: KmsOperation = async (context, body) => {
  const aliasName = readAliasName(body);
  const key = readTargetKey(context, body);
  const alias = existingAlias(context, aliasName);
  await context.store.saveAlias({ ...alias, targetKeyId: key.keyId, lastUpdatedDate: context.now() });
  return {};
};

export const deleteAlias: KmsOperation = async (context, body) => {
  const aliasName = readAliasName(body);
  existingAlias(context, aliasName);
  await context.store.deleteAlias(aliasName);
  return {};
};

export const listAliases: KmsOperation = async (context, body) => {
  const keyId = optionalString(body, 'KeyId', KEY_ID_LENGTH);
  const limit = optionalInteger(body, 'Limit', { min: 1, max: 100 }) ?? 50;
  const marker = optionalString(body, 'Marker', { min: 1, max: 1024 });
  const { store, scope } = context;
  const key = keyId === undefined ? undefined : resolveKeyWithoutAlias(store, scope, keyId);
  const aliases = store.listAliases().filter((alias) => key === undefined || alias.targetKeyId === key.keyId);
  const page = paginate(aliases, (alias) => alias.aliasName, limit, marker);
  return {
    Aliases: page.items.map((alias) => ({
      AliasName: alias.aliasName,
      AliasArn: aliasArn(scope, alias.aliasName),
      TargetKeyId: alias.targetKeyId,
      CreationDate: epochSeconds(alias.creationDate),
      LastUpdatedDate: epochSeconds(alias.lastUpdatedDate),
    })),
    ...page.paging,
  };
};

/** KMS's rules for alias names, with its error types and wording. */
function readAliasName(body: RequestBody): string {
  const aliasName = requiredString(body, 'AliasName', { min: 1, max: 256 });
  if (!ALIAS_NAME_PATTERN.test(aliasName)) {
    throw validationError('aliasName', `Member must satisfy regular expression pattern: ${ALIAS_NAME_PATTERN.source}`, aliasName);
  }
  if (!aliasName.startsWith('alias/') || aliasName === 'alias/') {
    throw new KmsError(
      'ValidationException',
      'Alias must start with the prefix "alias/". Please see https://docs.aws.amazon.com/kms/latest/developerguide/kms-alias.html',
    );
  }
  if (aliasName.includes(':')) throw new KmsError('ValidationException', `${aliasName} contains invalid characters for an alias`);
  // alias/aws/ names belong to AWS managed keys; no caller may create, move or delete them.
  if (aliasName.startsWith('alias/aws/')) throw new KmsError('NotAuthorizedException', `${aliasName} is reserved for AWS managed keys`);
  return aliasName;
}

/** An alias must point at a key by key id or key ARN (never at another alias), and not at a key being deleted. */
function readTargetKey({ store, scope }: KmsContext, body: RequestBody): StoredKey {
  const target = requiredString(body, 'TargetKeyId', KEY_ID_LENGTH);
  if (parseKeyReference(target)?.kind === 'alias') throw new KmsError('ValidationException', 'Aliases must refer to keys. Not aliases');
  const key = resolveKeyWithoutAlias(store, scope, target);
  if (key.state === 'PendingDeletion') throw pendingDeletionError(key, scope);
  return key;
}

function existingAlias({ store, scope }: KmsContext, aliasName: string) {
  const alias = store.findAlias(aliasName);
  if (!alias) throw new KmsError('NotFoundException', `Alias ${aliasArn(scope, aliasName)} is not found.`);
  return alias;
}
