import { afterAll, describe } from 'vitest';
import { startMoto } from '../support/moto.js';
import { describeConfigStoreContract } from './support/config-store-contract.js';

// moto_server is a second, independent implementation of DynamoDB: the store must behave the
// same on it. Without moto_server (and outside CI) startMoto says so and these tests are skipped.
const moto = await startMoto();

describe.runIf(moto !== undefined)('DynamoDbConfigStore on moto_server', () => {
  afterAll(() => moto?.stop());

  describeConfigStoreContract(() => moto!);
});
