// The one table from a KMS action name (the part of `x-amz-target` after `TrentService.`) to its implementation.
import { createAlias, deleteAlias, listAliases, updateAlias } from './alias-operations.js';
import { KmsError } from './errors.js';
import type { KmsContext, KmsOperation } from './kms-context.js';
import {
  cancelKeyDeletion,
  createKey,
  deleteKeysPastDeletionDate,
  describeKey,
  disableKey,
  enableKey,
  listKeys,
  listResourceTags,
  scheduleKeyDeletion,
} from './key-operations.js';
import type { RequestBody } from './request-fields.js';
import { getPublicKey, sign, verify } from './signing-operations.js';

const OPERATIONS: Readonly<Record<string, KmsOperation>> = {
  CancelKeyDeletion: cancelKeyDeletion,
  CreateAlias: createAlias,
  CreateKey: createKey,
  DeleteAlias: deleteAlias,
  DescribeKey: describeKey,
  DisableKey: disableKey,
  EnableKey: enableKey,
  GetPublicKey: getPublicKey,
  ListAliases: listAliases,
  ListKeys: listKeys,
  ListResourceTags: listResourceTags,
  ScheduleKeyDeletion: scheduleKeyDeletion,
  Sign: sign,
  UpdateAlias: updateAlias,
  Verify: verify,
};

export const IMPLEMENTED_OPERATIONS = Object.keys(OPERATIONS);

export async function runOperation(context: KmsContext, name: string, body: RequestBody): Promise<object> {
  const operation = Object.hasOwn(OPERATIONS, name) ? OPERATIONS[name] : undefined;
  if (!operation) {
    throw new KmsError(
      'UnknownOperationException',
      `Operation ${name} is not implemented by this local KMS endpoint; it implements ${IMPLEMENTED_OPERATIONS.join(', ')}`,
    );
  }
  await deleteKeysPastDeletionDate(context);
  return operation(context, body);
}
