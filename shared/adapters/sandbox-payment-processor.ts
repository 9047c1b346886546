import type { Charge, PaymentProcessor, ProcessorOutcome } from '../domain/settlement/payment-processor.js';
import { ProcessorUnavailableError, ValidationError } from '../errors.js';

export const SANDBOX_TOKENS = {
  tok_success: 'settles the payment',
  tok_decline: 'is declined by the issuer (402)',
  tok_error: 'makes the processor fail (502, nothing is signed)',
} as const;

/**
 * The embedded processor: deterministic outcomes by token, so apps and tests can drive every
 * path. It moves no money, so it settles test merchants only (their receipts say livemode false).
 * Deterministic by token means idempotent by payment: the same charge always gets the same answer.
 */
export class SandboxPaymentProcessor implements PaymentProcessor {
  readonly name = 'sandbox';
  readonly modes = ['test'] as const;

  async process(charge: Charge): Promise<ProcessorOutcome> {
    switch (charge.paymentMethod.token) {
      case 'tok_success':
        return { status: 'SETTLED' };
      case 'tok_decline':
        return { status: 'DECLINED', declineCode: 'card_declined' };
      case 'tok_error':
        throw new ProcessorUnavailableError();
      default: {
        const tokens = Object.entries(SANDBOX_TOKENS).map(([token, effect]) => `'${token}' ${effect}`);
        throw new ValidationError(`Unknown sandbox payment token. Use one of: ${tokens.join('; ')}.`, [
          { path: 'paymentMethod.token', message: `must be one of ${Object.keys(SANDBOX_TOKENS).join(', ')}` },
        ]);
      }
    }
  }
}

/** The processors a deployment can choose (CDK context `paymentProcessor`); a real provider's adapter joins here. */
export const PAYMENT_PROCESSORS = {
  sandbox: () => new SandboxPaymentProcessor(),
} as const satisfies Record<string, () => PaymentProcessor>;
