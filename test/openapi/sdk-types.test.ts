import { describe, expect, expectTypeOf, it } from 'vitest';
import { VERIFICATION_REASONS } from '../../client/src/index.js';
import type {
  Amount,
  ConfigResponse,
  CountryConfig,
  CountrySource,
  ExpectedPayment,
  PaymentConfirmation,
  PaymentSummary,
  ProblemFieldError,
  Settlement,
  SettlementRequest,
  VerdictKeySet,
  VerificationReason,
} from '../../client/src/types.js';
import document from '../../openapi.json' with { type: 'json' };
import type { components } from './openapi-types.js';

// The SDK restates the API's shapes (it may import nothing of the server); here tsc holds them to
// the types openapi-typescript reads from openapi.json (openapi-types.ts, regenerated and
// compared by `npm run check`). Both ways: what the SDK sends is exactly what the API accepts,
// and what the API answers is exactly what the SDK reads, except where a comment says why not.
type Wire = components['schemas'];

describe('the SDK types match openapi.json', () => {
  it('sends exactly what the API accepts', () => {
    expectTypeOf<SettlementRequest>().toEqualTypeOf<Wire['SettlementRequest']>();
    expectTypeOf<ExpectedPayment>().toEqualTypeOf<Wire['ExpectedPayment']>();
    expectTypeOf<Amount>().toEqualTypeOf<Wire['Amount']>();
  });

  it('reads exactly what the API answers', () => {
    expectTypeOf<Omit<Settlement, 'idempotencyKey' | 'replayed'>>().toEqualTypeOf<Wire['SettlementResult']>();
    expectTypeOf<PaymentSummary>().toEqualTypeOf<Wire['PaymentSummary']>();
    expectTypeOf<VerificationReason>().toEqualTypeOf<Wire['VerificationReason']>();
    expectTypeOf<CountrySource>().toEqualTypeOf<Wire['CountrySource']>();
    expectTypeOf<ProblemFieldError>().toEqualTypeOf<Wire['ValidationIssue']>();
    // The confirmation restates the verification answer under the SDK's names (`completed` is `paymentCompleted`).
    type Confirmed = Pick<PaymentConfirmation, 'verified' | 'reason' | 'livemode' | 'payment' | 'verdict'>;
    expectTypeOf<Confirmed>().toEqualTypeOf<Pick<Wire['VerificationResponse'], keyof Confirmed>>();
    expectTypeOf<PaymentConfirmation['completed']>().toEqualTypeOf<Wire['VerificationResponse']['paymentCompleted']>();
  });

  it('reads the configuration the API answers; it is wider only where new values must not break old apps', () => {
    // An app built today must still read a configuration that lists a payment method added
    // later, so the SDK takes any string; and it never asks for `explain`.
    expectTypeOf<Wire['ConfigResponse']>().toExtend<ConfigResponse>();
    expectTypeOf<Omit<CountryConfig, 'paymentMethods'>>().toEqualTypeOf<Omit<Wire['CountryConfig'], 'paymentMethods'>>();
    expectTypeOf<CountryConfig['paymentMethods'][number]>().toEqualTypeOf<string>();
    expectTypeOf<Omit<ConfigResponse, 'config' | 'signature'>>().toEqualTypeOf<Omit<Wire['ConfigResponse'], 'config' | 'explain' | 'signature'>>();
    // Every answer of the API is signed; the SDK may type the member optional, to refuse an answer without one itself.
    expectTypeOf<Wire['ConfigResponse']['signature']>().toEqualTypeOf<string>();
    expectTypeOf<Wire['ConfigResponse']['signature']>().toExtend<ConfigResponse['signature']>();
  });

  it('reads every key set the API serves (it also takes key sets an app pins, so it is wider)', () => {
    expectTypeOf<Wire['Jwks']>().toExtend<VerdictKeySet>();
  });

  it('knows the reason codes of the contract at run time too', () => {
    expect([...VERIFICATION_REASONS].sort()).toEqual([...document.components.schemas.VerificationReason.enum].sort());
  });
});
