import * as z from '../../zod.js';
import { merchantIdSchema, orderIdSchema, paymentIdSchema } from '../identifiers.js';
import { amountSchema } from '../money.js';
import { PAYMENT_STATUSES } from '../settlement/payment-response.js';
import { compactJwsSchema } from '../settlement/settlement-result-schema.js';
import type { Assert, Equal } from '../type-equality.js';
import { expectedPaymentSchema } from './expectations.js';
import { REASON_PRECEDENCE } from './reasons.js';
import type { PaymentSummary, VerificationResult } from './result.js';

// What POST /v1/verifications answers, as a schema for the API contract (openapi.json). Only
// the contract's generator imports this module: the verification function builds its answer
// from the types in result.ts and never parses it, so these schemas stay out of its bundle.

export const paymentSummarySchema = z.strictObject({
  paymentId: paymentIdSchema,
  merchantId: merchantIdSchema,
  orderId: orderIdSchema,
  amount: amountSchema,
  status: z.enum(PAYMENT_STATUSES),
  livemode: z.boolean(),
  iat: z.number().check(z.int(), z.nonnegative()),
});

export const verificationReasonSchema = z.enum(REASON_PRECEDENCE);

export const verificationResultSchema = z.strictObject({
  verified: z.boolean(),
  paymentCompleted: z.boolean(),
  reason: verificationReasonSchema,
  retryable: z.boolean(),
  expected: expectedPaymentSchema,
  checkLedger: z.boolean(),
  livemode: z.optional(z.boolean()),
  payment: z.optional(paymentSummarySchema),
});

/** The result, plus the signed verdict exactly when the request carried a nonce. */
export const verificationResponseSchema = z.extend(verificationResultSchema, { verdict: z.optional(compactJwsSchema) });

type _Summary = Assert<Equal<z.output<typeof paymentSummarySchema>, PaymentSummary>>;
type _Result = Assert<Equal<z.output<typeof verificationResultSchema>, VerificationResult>>;
