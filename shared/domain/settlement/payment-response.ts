import * as z from '../../zod.js';
import { merchantIdSchema, orderIdSchema, paymentIdSchema } from '../identifiers.js';
import { amountSchema } from '../money.js';

/** Every token kind has its own `typ`, so a token minted for one purpose is never accepted for another. */
export const PAYMENT_RESPONSE_TYP = 'payment-response+jwt';
export const SIGNING_ALGORITHM = 'ES256';

export const PAYMENT_STATUSES = ['SETTLED', 'DECLINED'] as const;
export type PaymentStatus = (typeof PAYMENT_STATUSES)[number];

/** The claims of the payment response data: what the verification service checks. */
export const paymentResponseClaimsSchema = z.strictObject({
  iss: z.string().check(z.minLength(1), z.maxLength(256)),
  jti: paymentIdSchema,
  iat: z.number().check(z.int(), z.nonnegative()),
  merchantId: merchantIdSchema,
  orderId: orderIdSchema,
  amount: amountSchema,
  status: z.enum(PAYMENT_STATUSES),
  /**
   * False for a test merchant's payment, settled by a sandbox processor: no money moved.
   * Responses signed before the claim existed were all sandbox ones, so its absence reads false.
   */
  livemode: z._default(z.boolean(), false),
});

export type PaymentResponseClaims = z.output<typeof paymentResponseClaimsSchema>;
