// The same KMS contract, run against Python moto's moto_server: a second, independent implementation
// that keeps our reading of the KMS documentation honest. Its known deviations from real KMS are
// declared here; each one is asserted, so a moto upgrade that fixes it makes the test fail and the
// flag can go.
import type { KMSClient } from '@aws-sdk/client-kms';
import { afterAll, beforeAll, describe } from 'vitest';
import { startMoto } from '../../support/moto.js';
import { kmsClient, kmsContract, type KnownDeviations } from './kms-contract.js';

// moto 5.2.1, read in moto/kms/models.py and responses.py and observed on the wire.
const MOTO_DEVIATIONS: KnownDeviations = {
  wrongSigningAlgorithmIsValidationError: true,
  acceptsMessagesOver4096Bytes: true,
  getPublicKeyAnswersBareKeyId: true,
};

const moto = await startMoto();

describe.runIf(moto !== undefined)('moto_server honours the KMS contract, apart from its known deviations', () => {
  let client: KMSClient;

  beforeAll(() => {
    client = kmsClient(moto!.url);
  });

  afterAll(async () => {
    client?.destroy();
    await moto?.stop();
  });

  kmsContract(() => ({ client, deviations: MOTO_DEVIATIONS }));
});
