import * as z from '../../zod.js';
import { paymentIdSchema } from '../identifiers.js';
import { PAYMENT_STATUSES } from './payment-response.js';

// What POST /v1/settlements answers, as a schema for the API contract (openapi.json). Only the
// contract's generator imports this module, so it stays out of the settlement bundle; the
// generator checks it against the use case's SettlementResult type.

/** Three base64url parts: a payment response or a verdict, as compact JWS (RFC 7515 §7.1). */
export const compactJwsSchema = z.string().check(z.regex(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/));

export const settlementResultSchema = z.strictObject({
  paymentId: paymentIdSchema,
  status: z.enum(PAYMENT_STATUSES),
  /** Claims iss, jti (= paymentId), iat, merchantId, orderId, amount, status, livemode; header typ payment-response+jwt. */
  paymentResponse: compactJwsSchema,
});
