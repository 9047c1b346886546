import { isRecord } from './http.js';
import type { Amount, ExpectedPayment } from './types.js';

/** Ids as the API accepts them. */
const ID = /^[A-Za-z0-9_-]{1,64}$/;

/** The expectation as the API accepts it (checked at run time too: JavaScript callers skip the types). */
export function checkExpectation(expected: unknown): asserts expected is ExpectedPayment {
  const fail = (what: string) => new TypeError(`confirmPayment needs the expected order: ${what}`);
  if (!isRecord(expected)) throw fail('pass { merchantId, orderId, amount }');
  const { orderId, amount, merchantId } = expected;
  if (typeof merchantId !== 'string' || !ID.test(merchantId)) throw fail(`merchantId must be 1 to 64 of A-Z, a-z, 0-9, _ and -, got ${String(merchantId)}`);
  if (typeof orderId !== 'string' || !ID.test(orderId)) throw fail(`orderId must be 1 to 64 of A-Z, a-z, 0-9, _ and -, got ${String(orderId)}`);
  if (!isAmount(amount)) throw fail('amount must be { value, currency }: a positive integer of minor units and an ISO 4217 code');
}

function isAmount(value: unknown): value is Amount {
  if (!isRecord(value) || typeof value.currency !== 'string' || !/^[A-Z]{3}$/.test(value.currency)) return false;
  return Number.isSafeInteger(value.value) && (value.value as number) > 0;
}

/** Same merchant, order and amount (other members, such as a payment's status, are not compared). */
export function sameExpectation(a: unknown, b: ExpectedPayment): boolean {
  if (!isRecord(a) || !isAmount(a.amount)) return false;
  return a.merchantId === b.merchantId && a.orderId === b.orderId && sameAmount(a.amount, b.amount);
}

function sameAmount(a: Amount, b: Amount): boolean {
  return a.value === b.value && a.currency === b.currency;
}
