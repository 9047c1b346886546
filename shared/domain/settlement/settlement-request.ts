import * as z from '../../zod.js';
import { merchantIdSchema, orderIdSchema } from '../identifiers.js';
import { amountSchema } from '../money.js';

/**
 * The body of POST /v1/settlements. The merchant is the caller's (from the merchant registry):
 * `merchantId` may be omitted, and if given must be the caller's own.
 */
export const settlementRequestSchema = z.strictObject({
  merchantId: z.optional(merchantIdSchema),
  orderId: orderIdSchema,
  amount: amountSchema,
  paymentMethod: z.strictObject({
    type: z.literal('card'),
    // A processor token, never a card number: it is passed on, never logged or signed.
    token: z.string().check(z.minLength(1), z.maxLength(255)),
  }),
});

export type SettlementRequest = z.infer<typeof settlementRequestSchema>;
