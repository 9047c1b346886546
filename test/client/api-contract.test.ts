import { describe, expect, expectTypeOf, it } from 'vitest';
import { type ClientOptions, createClient, VERIFICATION_REASONS } from '../../client/src/index.js';
import type {
  ConfigResponse,
  CountryConfig,
  ExpectedPayment,
  PaymentSummary,
  ProblemFieldError,
  Settlement,
  SettlementRequest,
  VerificationReason,
} from '../../client/src/types.js';
import type { ValidationIssue } from '../../shared/errors.js';
import type { CountryConfig as ServedConfig } from '../../shared/domain/config/config-document.js';
import type { CountrySource as ServedSource } from '../../shared/domain/config/country-resolution.js';
import type { SettlementRequest as AcceptedRequest } from '../../shared/domain/settlement/settlement-request.js';
import type { SettlementResult } from '../../shared/use-cases/settle-payment.js';
import type { ExpectedPayment as AcceptedExpectation } from '../../shared/domain/verification/expectations.js';
import { REASON_PRECEDENCE } from '../../shared/domain/verification/reasons.js';
import type { PaymentSummary as ServedSummary } from '../../shared/domain/verification/result.js';

// The SDK cannot import the service's types (they come with zod and Node), so it restates them.
// These checks (tsc runs them in `npm test`) fail when the two drift apart.
describe('the SDK speaks the API the service implements', () => {
  it('knows exactly the reason codes the verification service gives', () => {
    expect([...VERIFICATION_REASONS].sort()).toEqual([...REASON_PRECEDENCE].sort());
    expectTypeOf<(typeof REASON_PRECEDENCE)[number]>().toEqualTypeOf<VerificationReason>();
  });

  it('reads what the service answers and sends what it accepts', () => {
    expectTypeOf<ServedConfig>().toExtend<CountryConfig>();
    expectTypeOf<ServedSource>().toEqualTypeOf<ConfigResponse['source']>();
    expectTypeOf<ServedSummary>().toEqualTypeOf<PaymentSummary>();
    expectTypeOf<SettlementResult>().toExtend<Omit<Settlement, 'idempotencyKey' | 'replayed'>>();
    expectTypeOf<SettlementRequest>().toExtend<AcceptedRequest>();
    expectTypeOf<ExpectedPayment>().toExtend<AcceptedExpectation>();
    expectTypeOf<ValidationIssue>().toEqualTypeOf<ProblemFieldError>();
  });

  it('refuses options that cannot work, at once', () => {
    const attempts: ClientOptions[] = [
      { baseUrl: '/relative' },
      { baseUrl: 'ftp://example.test' },
      { baseUrl: 'http://127.0.0.1:3000?x=1' },
      { baseUrl: 'http://127.0.0.1:3000', retries: -1 },
      { baseUrl: 'http://127.0.0.1:3000', timeoutMs: 0 },
      { baseUrl: 'http://127.0.0.1:3000', backoff: { baseMs: 1.5 } },
    ];
    for (const options of attempts) expect(() => createClient(options), JSON.stringify(options)).toThrow(TypeError);
    expect(() => createClient({ baseUrl: 'http://127.0.0.1:3000/stage/' })).not.toThrow();
  });
});
