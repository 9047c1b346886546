import { describe, expect, it } from 'vitest';
import { SandboxPaymentProcessor } from '../adapters/sandbox-payment-processor.js';
import type { Ledger, LedgerRecord } from '../domain/ledger-record.js';
import type { SettlementRequest } from '../domain/settlement-request.js';
import { IdempotencyKeyReusedError, ProcessorUnavailableError, ValidationError } from '../errors.js';
import { paymentIdFor, type SettlePaymentDeps, settlePayment } from './settle-payment.js';

class InMemoryLedger implements Ledger {
  readonly records = new Map<string, LedgerRecord>();
  failNextPut = false;
  async get(paymentId: string) {
    return this.records.get(paymentId);
  }
  async putIfAbsent(record: LedgerRecord) {
    if (this.failNextPut) {
      this.failNextPut = false;
      throw new Error('the process died before the ledger write');
    }
    const existing = this.records.get(record.paymentId);
    if (existing) return existing;
    this.records.set(record.paymentId, record);
    return record;
  }
}

function setup() {
  const signed: Array<Record<string, unknown>> = [];
  const ledger = new InMemoryLedger();
  const deps: SettlePaymentDeps = {
    processor: new SandboxPaymentProcessor(),
    signer: {
      async sign(typ, claims) {
        signed.push(claims);
        return `${typ}.${JSON.stringify(claims)}.signature-${signed.length}`;
      },
    },
    ledger,
    issuer: 'test-issuer',
    now: () => new Date('2026-11-30T10:00:00.500Z'),
  };
  return { deps, ledger, signed };
}

const request: SettlementRequest = {
  merchantId: 'm_123',
  orderId: 'o_456',
  amount: { value: 1999, currency: 'USD' },
  paymentMethod: { type: 'card', token: 'tok_success' },
};

describe('settling a payment', () => {
  it('signs the claims of a settled payment and records it in the ledger', async () => {
    const { deps, ledger, signed } = setup();
    const result = await settlePayment(deps, request, 'key-1');
    expect(result.status).toBe('SETTLED');
    expect(signed).toEqual([
      {
        iss: 'test-issuer',
        jti: result.paymentId,
        iat: 1796032800,
        merchantId: 'm_123',
        orderId: 'o_456',
        amount: { value: 1999, currency: 'USD' },
        status: 'SETTLED',
      },
    ]);
    expect(ledger.records.get(result.paymentId)?.paymentResponse).toBe(result.paymentResponse);
  });

  it('signs and records a declined payment as DECLINED', async () => {
    const { deps, ledger } = setup();
    const result = await settlePayment(deps, { ...request, paymentMethod: { type: 'card', token: 'tok_decline' } }, 'key-1');
    expect(result.status).toBe('DECLINED');
    expect(ledger.records.get(result.paymentId)?.status).toBe('DECLINED');
  });

  it('signs nothing and records nothing when the processor fails or the token is unknown', async () => {
    const { deps, ledger, signed } = setup();
    await expect(settlePayment(deps, { ...request, paymentMethod: { type: 'card', token: 'tok_error' } }, 'k')).rejects.toBeInstanceOf(
      ProcessorUnavailableError,
    );
    await expect(settlePayment(deps, { ...request, paymentMethod: { type: 'card', token: 'tok_other' } }, 'k')).rejects.toBeInstanceOf(
      ValidationError,
    );
    expect(signed).toHaveLength(0);
    expect(ledger.records.size).toBe(0);
  });

  it('converges on one record and one response when retried after a crash before the ledger write', async () => {
    const { deps, ledger, signed } = setup();
    ledger.failNextPut = true;
    await expect(settlePayment(deps, request, 'key-1')).rejects.toThrow('died');
    const retried = await settlePayment(deps, request, 'key-1');
    const again = await settlePayment(deps, request, 'key-1');
    expect(ledger.records.size).toBe(1);
    expect(again).toEqual(retried);
    expect(ledger.records.get(retried.paymentId)?.paymentResponse).toBe(retried.paymentResponse);
    // The first signature was never released; only the recorded one ever reaches a client.
    expect(signed).toHaveLength(2);
  });

  it('returns the recorded response without signing again once the payment is in the ledger', async () => {
    const { deps, signed } = setup();
    const first = await settlePayment(deps, request, 'key-1');
    const second = await settlePayment(deps, request, 'key-1');
    expect(second).toEqual(first);
    expect(signed).toHaveLength(1);
  });

  it('refuses a key reused for a different payment even after the idempotency record expired', async () => {
    const { deps } = setup();
    await settlePayment(deps, request, 'key-1');
    await expect(settlePayment(deps, { ...request, amount: { value: 2000, currency: 'USD' } }, 'key-1')).rejects.toBeInstanceOf(
      IdempotencyKeyReusedError,
    );
  });

  it('scopes keys to the merchant', () => {
    expect(paymentIdFor('m_1', 'key')).not.toBe(paymentIdFor('m_2', 'key'));
    expect(paymentIdFor('m_1', 'key')).toBe(paymentIdFor('m_1', 'key'));
    // No separator games: ("m_1", "2\nk") and ("m_1\n2", "k") cannot collide because merchant ids have no newline.
    expect(paymentIdFor('m_1', 'key')).toMatch(/^pay_[A-Za-z0-9_-]{43}$/);
  });
});
