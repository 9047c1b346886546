// Setup file of the `system` project (vitest.config.ts): a test fails when an answer it received
// through a local stack breaks openapi.json (test/support/openapi-contract.ts records them).
import { afterAll, afterEach, expect } from 'vitest';
import { takeContractViolations } from './openapi-contract.js';

function expectNoViolations() {
  expect(takeContractViolations(), 'answers that break openapi.json').toEqual([]);
}

afterEach(expectNoViolations);
// Answers given outside a test (in beforeAll or afterAll hooks) are checked once the file is done.
afterAll(expectNoViolations);
