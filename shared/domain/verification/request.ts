import * as z from '../../zod.js';
import { expectedPaymentSchema } from './expectations.js';

/**
 * The body of POST /v1/verifications. `paymentResponse` is any string: a garbage token is a
 * verification result (MALFORMED), not a bad request. The nonce is echoed into a signed verdict,
 * so it stays printable ASCII.
 */
export const verificationRequestSchema = z.strictObject({
  paymentResponse: z.string(),
  expected: expectedPaymentSchema,
  nonce: z.optional(z.string().check(z.regex(/^[\x21-\x7E]{16,128}$/, 'must be 16 to 128 printable ASCII characters without spaces'))),
  checkLedger: z._default(z.boolean(), false),
});

export type VerificationRequest = z.infer<typeof verificationRequestSchema>;
