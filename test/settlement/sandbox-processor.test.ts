import { expect, it } from 'vitest';
import { PAYMENT_PROCESSORS, SandboxPaymentProcessor } from '../../shared/adapters/sandbox-payment-processor.js';
import { paymentProcessorContract } from './processor-contract.js';

paymentProcessorContract(() => ({
  processor: new SandboxPaymentProcessor(),
  tokens: { settles: 'tok_success', declines: 'tok_decline', fails: 'tok_error' },
}));

it('the sandbox moves no money, so it settles test merchants only', () => {
  expect(new SandboxPaymentProcessor().modes).toEqual(['test']);
  expect(Object.keys(PAYMENT_PROCESSORS)).toEqual(['sandbox']);
});
