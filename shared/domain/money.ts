import * as z from '../zod.js';
import { isCurrencyInUse } from './iso4217.js';

/** One rule, one message: the table of codes in use holds only upper-case three-letter codes. */
export const currencyCodeSchema = z.string().check(z.refine(isCurrencyInUse, 'is not an ISO 4217 currency in current use (such as EUR)'));

/** Money is an integer of minor units plus its currency: never a float. */
export const amountSchema = z.strictObject({
  value: z
    .number()
    .check(
      z.int('must be an integer number of minor units (1999 means 19.99 USD)'),
      z.positive('must be positive'),
      z.maximum(Number.MAX_SAFE_INTEGER, 'must be a safe integer'),
    ),
  currency: currencyCodeSchema,
});

export type Amount = z.infer<typeof amountSchema>;

export function sameAmount(a: Amount, b: Amount): boolean {
  return a.value === b.value && a.currency === b.currency;
}
