import { describe, expect, it } from 'vitest';
import { settlementRequestSchema } from '../../shared/domain/settlement/settlement-request.js';

const valid = {
  merchantId: 'm_123',
  orderId: 'o_456',
  amount: { value: 1999, currency: 'USD' },
  paymentMethod: { type: 'card', token: 'tok_success' },
};

function withChange(path: string[], value: unknown): unknown {
  const copy = structuredClone(valid) as Record<string, unknown>;
  let target = copy;
  for (const key of path.slice(0, -1)) target = target[key] as Record<string, unknown>;
  target[path.at(-1)!] = value;
  return copy;
}

describe('a settlement request', () => {
  it('accepts the documented example', () => {
    expect(settlementRequestSchema.parse(valid)).toEqual(valid);
  });

  it.each([
    ['merchantId with a space', ['merchantId'], 'm 123'],
    ['merchantId longer than 64', ['merchantId'], 'm'.repeat(65)],
    ['empty orderId', ['orderId'], ''],
    ['fractional amount', ['amount', 'value'], 19.99],
    ['zero amount', ['amount', 'value'], 0],
    ['negative amount', ['amount', 'value'], -1],
    ['amount beyond safe integers', ['amount', 'value'], 2 ** 53],
    ['amount as a string', ['amount', 'value'], '1999'],
    ['lower-case currency', ['amount', 'currency'], 'usd'],
    ['withdrawn currency', ['amount', 'currency'], 'DEM'],
    ['replaced currency', ['amount', 'currency'], 'HRK'],
    ['testing currency', ['amount', 'currency'], 'XXX'],
    ['unknown payment method', ['paymentMethod', 'type'], 'bitcoin'],
    ['empty token', ['paymentMethod', 'token'], ''],
  ])('refuses %s', (_, path, value) => {
    expect(settlementRequestSchema.safeParse(withChange(path, value)).success).toBe(false);
  });

  it('refuses unknown fields, so a typo is not silently ignored', () => {
    expect(settlementRequestSchema.safeParse({ ...valid, ammount: 1 }).success).toBe(false);
  });

  it('accepts the largest safe amount and zero-decimal currencies', () => {
    const request = withChange(['amount'], { value: Number.MAX_SAFE_INTEGER, currency: 'JPY' });
    expect(settlementRequestSchema.safeParse(request).success).toBe(true);
  });
});
