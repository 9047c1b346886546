// KMS deletes a key, and the aliases that point to it, once the waiting period of ScheduleKeyDeletion
// is over. The clock is injected, so the test moves past the deletion date instead of waiting a week.
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { KmsError } from './errors.js';
import type { KmsContext } from './kms-context.js';
import { KeyStore } from './key-store.js';
import { runOperation } from './operations.js';

const DAY_MS = 24 * 60 * 60 * 1000;
let dataDir: string | undefined;

afterEach(async () => {
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

it('deletes a key and its aliases once the waiting period is over, and not before', async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'local-kms-deletion-'));
  let now = new Date('2025-03-01T12:00:00.000Z');
  const context: KmsContext = {
    store: await KeyStore.open(dataDir),
    scope: { region: 'us-east-1', accountId: '000000000000' },
    now: () => now,
  };
  const created = (await runOperation(context, 'CreateKey', { KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' })) as {
    KeyMetadata: { KeyId: string };
  };
  const keyId = created.KeyMetadata.KeyId;
  await runOperation(context, 'CreateAlias', { AliasName: 'alias/doomed', TargetKeyId: keyId });
  await runOperation(context, 'ScheduleKeyDeletion', { KeyId: keyId, PendingWindowInDays: 7 });

  now = new Date(now.getTime() + 7 * DAY_MS - 1000);
  await expect(runOperation(context, 'DescribeKey', { KeyId: 'alias/doomed' })).resolves.toMatchObject({
    KeyMetadata: { KeyState: 'PendingDeletion' },
  });

  now = new Date(now.getTime() + 2000);
  const describing = runOperation(context, 'DescribeKey', { KeyId: keyId });
  await expect(describing).rejects.toBeInstanceOf(KmsError);
  await expect(describing).rejects.toMatchObject({ code: 'NotFoundException' });
  await expect(runOperation(context, 'ListAliases', {})).resolves.toMatchObject({ Aliases: [] });
  await context.store.flush();
  expect(await readdir(join(dataDir, 'keys'))).toEqual([]);
});
