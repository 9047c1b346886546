import { afterAll, beforeAll, describe } from 'vitest';
import { describeConfigStoreContract } from './support/config-store-contract.js';
import { type CountingDynalite, startDynalite } from './support/dynamodb.js';

describe('DynamoDbConfigStore on dynalite', () => {
  let dynalite: CountingDynalite;
  beforeAll(async () => {
    dynalite = await startDynalite();
  });
  afterAll(() => dynalite?.stop());

  describeConfigStoreContract(() => dynalite);
});
