import * as z from '../../zod.js';
import { merchantIdSchema } from '../identifiers.js';

/** Test merchants settle with sandbox processors only; their receipts say `livemode: false`. */
export const MERCHANT_MODES = ['test', 'live'] as const;
export type MerchantMode = (typeof MERCHANT_MODES)[number];

export const MERCHANT_STATUSES = ['active', 'suspended'] as const;
export type MerchantStatus = (typeof MERCHANT_STATUSES)[number];

/**
 * A tenant of the deployment, as the merchant registry holds it. `callers` are the identities
 * (see caller-identity.ts) that act for this merchant and no other.
 */
export const merchantSchema = z.object({
  merchantId: merchantIdSchema,
  mode: z.enum(MERCHANT_MODES),
  status: z.enum(MERCHANT_STATUSES),
  callers: z.array(z.string().check(z.minLength(1))),
});

export type Merchant = z.infer<typeof merchantSchema>;

/** The read side the settlement function needs: who is this caller acting for? */
export interface MerchantDirectory {
  merchantForCaller(callerId: string): Promise<Merchant | undefined>;
}
