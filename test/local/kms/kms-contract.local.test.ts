// The KMS contract, run against our local endpoint on a fresh data directory.
import { afterAll, beforeAll, describe } from 'vitest';
import { kmsContract } from './kms-contract.js';
import { startLocalKms, type LocalKmsFixture } from './local-kms-fixture.js';

describe('the local KMS endpoint honours the KMS contract', () => {
  let kms: LocalKmsFixture;

  beforeAll(async () => {
    kms = await startLocalKms();
  });

  afterAll(async () => {
    await kms?.dispose();
  });

  kmsContract(() => ({ client: kms.client, deviations: {} }));
});
