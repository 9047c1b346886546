import { describe, expect, it } from 'vitest';
import { isStillReplayed } from '../../shared/domain/settlement/idempotency.js';

const HOUR = 3_600_000;
const SIGNED = Date.parse('2026-11-30T10:00:00.000Z');
const tokenSignedAt = (ms: number) => `header.${Buffer.from(JSON.stringify({ jti: 'pay_x', iat: ms / 1000 })).toString('base64url')}.signature`;

describe('how long a stored response is replayed', () => {
  it('24 hours from when it was signed, not from when the payment began (a payment resumed a day later gets its day)', () => {
    const beganTwoDaysEarlier = new Date(SIGNED - 48 * HOUR).toISOString();
    expect(isStillReplayed(tokenSignedAt(SIGNED), beganTwoDaysEarlier, new Date(SIGNED + 24 * HOUR - 1))).toBe(true);
    expect(isStillReplayed(tokenSignedAt(SIGNED), beganTwoDaysEarlier, new Date(SIGNED + 24 * HOUR))).toBe(false);
  });

  it('from the record when the response says nothing readable of when, and never when neither does', () => {
    const began = new Date(SIGNED).toISOString();
    expect(isStillReplayed('not.a-token', began, new Date(SIGNED + 23 * HOUR))).toBe(true);
    expect(isStillReplayed('not.a-token', began, new Date(SIGNED + 24 * HOUR))).toBe(false);
    // Key retirement relies on the bound: what cannot be dated is not replayed.
    expect(isStillReplayed('not.a-token', 'yesterday-ish', new Date(SIGNED))).toBe(false);
  });
});
