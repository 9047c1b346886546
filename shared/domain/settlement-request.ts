import { z } from 'zod';
import { merchantIdSchema, orderIdSchema } from './identifiers.js';
import { amountSchema } from './money.js';

export const settlementRequestSchema = z.strictObject({
  merchantId: merchantIdSchema,
  orderId: orderIdSchema,
  amount: amountSchema,
  paymentMethod: z.strictObject({
    type: z.literal('card'),
    // A processor token, never a card number: it is passed on, never logged or signed.
    token: z.string().min(1).max(255),
  }),
});

export type SettlementRequest = z.infer<typeof settlementRequestSchema>;
