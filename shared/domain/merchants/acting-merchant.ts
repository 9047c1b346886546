import { MerchantMismatchError, MerchantSuspendedError, UnknownCallerError } from '../../errors.js';
import type { Merchant } from './merchant.js';

/**
 * Who a request acts for: the merchant the registry gives the caller, never the one a body
 * names. Refuses an unknown caller, a suspended merchant, and a body naming another merchant.
 */
export function actingMerchant(callerId: string | undefined, merchant: Merchant | undefined, bodyMerchantId: string | undefined): Merchant {
  if (callerId === undefined || merchant === undefined) throw new UnknownCallerError(callerId);
  if (bodyMerchantId !== undefined && bodyMerchantId !== merchant.merchantId) throw new MerchantMismatchError(merchant.merchantId, bodyMerchantId);
  if (merchant.status !== 'active') throw new MerchantSuspendedError(merchant.merchantId);
  return merchant;
}
