import { describe, expect, it } from 'vitest';
import type { Charge, PaymentProcessor } from '../../shared/domain/settlement/payment-processor.js';
import { ProcessorUnavailableError, ValidationError } from '../../shared/errors.js';

/**
 * What every payment processor adapter must do, for settlement's guarantees to hold (see the
 * README's guide to adding a processor). A real adapter runs it against the provider's test
 * environment, with the tokens that provider uses for each outcome.
 */
export interface ProcessorUnderTest {
  processor: PaymentProcessor;
  /** Payment method tokens that settle, are declined, and make the provider fail. */
  tokens: { settles: string; declines: string; fails: string };
}

let charges = 0;
function charge(token: string, overrides: Partial<Charge> = {}): Charge {
  charges += 1;
  const paymentId = `pay_contract${String(charges).padStart(24, '0')}`;
  return {
    paymentId,
    idempotencyKey: `${paymentId}.fingerprint`,
    merchantId: 'm_contract',
    orderId: `o_${charges}`,
    amount: { value: 1999, currency: 'EUR' },
    paymentMethod: { type: 'card', token },
    livemode: false,
    ...overrides,
  };
}

export function paymentProcessorContract(setup: () => ProcessorUnderTest) {
  describe(`payment processor contract`, () => {
    it('names itself and the merchant modes it settles', () => {
      const { processor } = setup();
      expect(processor.name).toMatch(/^[a-z][a-z0-9-]*$/);
      expect(processor.modes.length).toBeGreaterThan(0);
      expect(processor.modes.every((mode) => mode === 'test' || mode === 'live')).toBe(true);
    });

    it('settles, and answers a repeated charge (same idempotency key) as the first: one charge, one outcome', async () => {
      const { processor, tokens } = setup();
      const first = charge(tokens.settles);
      expect(await processor.process(first)).toEqual({ status: 'SETTLED' });
      expect(await processor.process({ ...first })).toEqual({ status: 'SETTLED' });
    });

    it('says why it declined', async () => {
      const { processor, tokens } = setup();
      const declined = await processor.process(charge(tokens.declines));
      expect(declined).toEqual({ status: 'DECLINED', declineCode: expect.stringMatching(/^\S+$/) });
    });

    it('throws ProcessorUnavailableError when it could not decide, so that nothing is signed', async () => {
      const { processor, tokens } = setup();
      await expect(processor.process(charge(tokens.fails))).rejects.toBeInstanceOf(ProcessorUnavailableError);
    });

    it('refuses input it cannot charge with a ValidationError that names the field, before charging anything', async () => {
      const { processor } = setup();
      const refusal = await processor.process(charge('tok_not_a_token_of_any_provider')).catch((error: unknown) => error);
      expect(refusal).toBeInstanceOf(ValidationError);
      expect((refusal as ValidationError).issues.map((issue) => issue.path)).toContain('paymentMethod.token');
    });
  });
}
