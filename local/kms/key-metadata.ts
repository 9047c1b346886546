// The KeyMetadata structure CreateKey and DescribeKey return, with the members real KMS fills for an
// asymmetric signing key in AWS_KMS's own key store.
import { epochSeconds } from './kms-context.js';
import { keyArn, type KmsScope } from './key-references.js';
import { LOCAL_KEY_SPECS } from './key-specs.js';
import type { StoredKey } from './key-store.js';

export function keyMetadata(key: StoredKey, scope: KmsScope): object {
  return {
    AWSAccountId: scope.accountId,
    KeyId: key.keyId,
    Arn: keyArn(scope, key.keyId),
    CreationDate: epochSeconds(key.creationDate),
    Enabled: key.state === 'Enabled',
    Description: key.description,
    KeyUsage: key.keyUsage,
    KeyState: key.state,
    ...(key.deletionDate && { DeletionDate: epochSeconds(key.deletionDate) }),
    Origin: 'AWS_KMS',
    KeyManager: 'CUSTOMER',
    CustomerMasterKeySpec: key.keySpec, // deprecated twin of KeySpec; KMS still returns both
    KeySpec: key.keySpec,
    SigningAlgorithms: [LOCAL_KEY_SPECS[key.keySpec].signingAlgorithm.name],
    MultiRegion: false,
  };
}
