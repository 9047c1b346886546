import { z } from 'zod';
import { merchantIdSchema, orderIdSchema } from '../identifiers.js';
import { amountSchema } from '../money.js';

/**
 * The body of POST /v1/settlements. The merchant is the caller's (from the merchant registry):
 * `merchantId` may be omitted, and if given must be the caller's own.
 */
export const settlementRequestSchema = z.strictObject({
  merchantId: merchantIdSchema.optional(),
  orderId: orderIdSchema,
  amount: amountSchema,
  paymentMethod: z.strictObject({
    type: z.literal('card'),
    // A processor token, never a card number: it is passed on, never logged or signed.
    token: z.string().min(1).max(255),
  }),
});

export type SettlementRequest = z.infer<typeof settlementRequestSchema>;
