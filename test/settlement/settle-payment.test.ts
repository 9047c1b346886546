import { describe, expect, it } from 'vitest';
import { InMemoryLedger } from '../support/in-memory-ledger.js';
import { SandboxPaymentProcessor } from '../../shared/adapters/sandbox-payment-processor.js';
import type { Merchant } from '../../shared/domain/merchants/merchant.js';
import type { Charge, PaymentProcessor } from '../../shared/domain/settlement/payment-processor.js';
import type { SettlementRequest } from '../../shared/domain/settlement/settlement-request.js';
import {
  IdempotencyKeyExpiredError,
  IdempotencyKeyReusedError,
  LivemodeUnavailableError,
  MerchantMismatchError,
  MerchantSuspendedError,
  ProcessorUnavailableError,
  RequestInFlightError,
  UnknownCallerError,
  ValidationError,
} from '../../shared/errors.js';
import { paymentIdFor, type SettlementCommand, type SettlePaymentDeps, settlePayment } from '../../shared/use-cases/settle-payment.js';

const CALLER = 'jwt:https://issuer.example|backend-123';
const T0 = Date.parse('2026-11-30T10:00:00.500Z');

/** A processor that records every charge it is asked for, deciding as the sandbox does. */
class RecordingProcessor implements PaymentProcessor {
  readonly name: string;
  readonly charges: Charge[] = [];
  readonly #sandbox = new SandboxPaymentProcessor();
  constructor(readonly modes: PaymentProcessor['modes'] = ['test']) {
    this.name = modes.includes('live') ? 'live-capable' : 'sandbox';
  }
  async process(charge: Charge) {
    this.charges.push(charge);
    return this.#sandbox.process(charge);
  }
}

function setup(merchant: Partial<Merchant> = {}, processorModes?: PaymentProcessor['modes']) {
  const signed: Array<Record<string, unknown>> = [];
  const ledger = new InMemoryLedger();
  const processor = new RecordingProcessor(processorModes);
  const clock = { now: T0 };
  const registered: Merchant = { merchantId: 'm_123', mode: 'test', status: 'active', callers: [CALLER], ...merchant };
  const deps: SettlePaymentDeps = {
    merchants: { merchantForCaller: async (callerId) => (registered.callers.includes(callerId) ? registered : undefined) },
    processor,
    signer: {
      async sign(typ, claims) {
        signed.push(claims);
        // Shaped as ours (the ledger records the header's kid); the signature is not checked here.
        const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
        return `${part({ alg: 'ES256', kid: 'test-key', typ })}.${part(claims)}.${part(`signature-${signed.length}`)}`;
      },
    },
    ledger,
    issuer: 'test-issuer',
    now: () => new Date(clock.now),
  };
  // null: the authorizer named nobody (undefined would pick the default caller).
  const settle = (request: SettlementRequest, key = 'key-1', callerId: string | null = CALLER) =>
    settlePayment(deps, { callerId: callerId ?? undefined, request, idempotencyKey: key, lockExpiresAt: clock.now + 10_000 } satisfies SettlementCommand);
  return { deps, ledger, signed, processor, clock, settle, merchant: registered };
}

const request: SettlementRequest = {
  orderId: 'o_456',
  amount: { value: 1999, currency: 'USD' },
  paymentMethod: { type: 'card', token: 'tok_success' },
};
const withToken = (token: string): SettlementRequest => ({ ...request, paymentMethod: { type: 'card', token } });

describe('settling a payment', () => {
  it("signs the claims of a settled payment for the caller's merchant, marked test, with two ledger writes", async () => {
    const { ledger, signed, settle } = setup();
    const { result, replayed } = await settle(request);
    expect(replayed).toBe(false);
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
        livemode: false,
      },
    ]);
    expect(ledger.records.get(result.paymentId)).toMatchObject({ paymentResponse: result.paymentResponse, status: 'SETTLED', livemode: false, signedBy: 'test-key' });
    expect(ledger.records.get(result.paymentId)).not.toHaveProperty('lockToken');
    expect(ledger.calls).toEqual(['begin', 'complete']);
  });

  it('signs and records a declined payment as DECLINED', async () => {
    const { ledger, settle } = setup();
    const { result } = await settle(withToken('tok_decline'));
    expect(result.status).toBe('DECLINED');
    expect(ledger.records.get(result.paymentId)?.status).toBe('DECLINED');
  });

  it('replays the recorded response with one ledger write attempt and no signature', async () => {
    const { ledger, signed, settle } = setup();
    const first = await settle(request);
    ledger.calls.length = 0;
    const second = await settle(request);
    expect(second).toEqual({ result: first.result, replayed: true });
    expect(signed).toHaveLength(1);
    expect(ledger.calls).toEqual(['begin']);
  });

  it('replays for 24 hours from when the response was signed, then answers what the payment was, charging and signing nothing', async () => {
    const { ledger, signed, processor, clock, settle } = setup();
    const first = await settle(request);
    const signedAt = Math.floor(T0 / 1000) * 1000; // the response's iat, in whole seconds
    clock.now = signedAt + 24 * 3_600_000 - 1;
    expect(await settle(request)).toEqual({ result: first.result, replayed: true });

    clock.now = signedAt + 24 * 3_600_000;
    const expired = await settle(request).catch((error: unknown) => error);
    expect(expired).toBeInstanceOf(IdempotencyKeyExpiredError);
    expect(expired).toMatchObject({ code: 'idempotency-key-expired', extensions: { paymentId: first.result.paymentId, paymentStatus: 'SETTLED' } });
    expect([signed.length, processor.charges.length]).toEqual([1, 1]);
    expect([...ledger.records.values()]).toEqual([expect.objectContaining({ paymentResponse: first.result.paymentResponse })]);
    // Another body is still a reuse of the key, however old the payment.
    await expect(settle(withToken('tok_decline'))).rejects.toBeInstanceOf(IdempotencyKeyReusedError);
  });

  it('accepts the body naming its own merchant as the same request as one that omits it', async () => {
    const { settle } = setup();
    const first = await settle(request);
    expect(await settle({ ...request, merchantId: 'm_123' })).toEqual({ result: first.result, replayed: true });
  });

  it('refuses a key reused for a different payment, however old the first', async () => {
    const { settle, clock } = setup();
    await settle(request);
    clock.now += 400 * 24 * 3600 * 1000;
    await expect(settle({ ...request, amount: { value: 2000, currency: 'USD' } })).rejects.toBeInstanceOf(IdempotencyKeyReusedError);
  });
});

describe('the merchant a payment is for', () => {
  it('is never the one the body names: another merchant in the body is 403, and nothing is written', async () => {
    const { ledger, settle } = setup();
    await expect(settle({ ...request, merchantId: 'm_victim' })).rejects.toBeInstanceOf(MerchantMismatchError);
    expect(ledger.calls).toEqual([]);
  });

  it('must be registered for the caller, and an unauthenticated request acts for nobody', async () => {
    const { settle } = setup();
    await expect(settle(request, 'k', 'jwt:https://issuer.example|stranger')).rejects.toBeInstanceOf(UnknownCallerError);
    await expect(settle(request, 'k', null)).rejects.toBeInstanceOf(UnknownCallerError);
  });

  it('must be active', async () => {
    const { settle } = setup({ status: 'suspended' });
    await expect(settle(request)).rejects.toBeInstanceOf(MerchantSuspendedError);
  });

  it('gets no sandbox receipt when live: the sandbox settles test merchants only, and nothing is charged or written', async () => {
    const { ledger, processor, signed, settle } = setup({ mode: 'live' });
    await expect(settle(request)).rejects.toBeInstanceOf(LivemodeUnavailableError);
    expect([ledger.calls, processor.charges, signed]).toEqual([[], [], []]);
  });

  it('is marked live in the receipt and the ledger when a live-capable processor settles it', async () => {
    const { ledger, signed, settle } = setup({ mode: 'live' }, ['test', 'live']);
    const { result } = await settle(request);
    expect(signed[0]).toMatchObject({ livemode: true });
    expect(ledger.records.get(result.paymentId)?.livemode).toBe(true);
  });
});

describe('failures', () => {
  it('an input the processor refuses charges nothing and frees the key for the corrected request', async () => {
    const { ledger, signed, settle } = setup();
    await expect(settle(withToken('tok_other'))).rejects.toBeInstanceOf(ValidationError);
    expect([ledger.records.size, signed.length]).toEqual([0, 0]);
    expect((await settle(request)).result.status).toBe('SETTLED');
  });

  it('a processor failure signs nothing and keeps the key bound to its request, free to retry at once', async () => {
    const { ledger, signed, processor, settle } = setup();
    await expect(settle(withToken('tok_error'))).rejects.toBeInstanceOf(ProcessorUnavailableError);
    await expect(settle(withToken('tok_error'))).rejects.toBeInstanceOf(ProcessorUnavailableError);
    expect(signed).toHaveLength(0);
    expect(processor.charges.map((charge) => charge.idempotencyKey)).toEqual([
      processor.charges[0]!.idempotencyKey,
      processor.charges[0]!.idempotencyKey,
    ]);
    // The processor may have charged before failing: another body under this key is refused.
    await expect(settle(request)).rejects.toBeInstanceOf(IdempotencyKeyReusedError);
    expect(ledger.records.size).toBe(1);
  });

  it('gives the processor an idempotency key that changes with the request, not only the payment id', async () => {
    const a = setup();
    const b = setup();
    await a.settle(request);
    await b.settle({ ...request, amount: { value: 2000, currency: 'USD' } });
    expect(a.processor.charges[0]!.paymentId).toBe(b.processor.charges[0]!.paymentId);
    expect(a.processor.charges[0]!.idempotencyKey).not.toBe(b.processor.charges[0]!.idempotencyKey);
  });
});

describe('a crash at any step converges on one charge and one receipt', () => {
  /** The process dies at `step`: nothing after it runs, not even the release of the lock. */
  function dieAt(step: 'charge' | 'signing' | 'completion', context: ReturnType<typeof setup>) {
    const { deps, ledger } = context;
    ledger.crashBefore = 'release';
    if (step === 'completion') {
      const complete = ledger.complete.bind(ledger);
      let died = false;
      ledger.complete = async (...args) => {
        if (died) return complete(...args);
        died = true;
        throw new Error('the process died');
      };
      return;
    }
    const target = step === 'charge' ? deps.processor : deps.signer;
    const original = (target as { process?: unknown; sign?: unknown })[step === 'charge' ? 'process' : 'sign'] as (...args: never[]) => unknown;
    let died = false;
    Object.assign(target, {
      [step === 'charge' ? 'process' : 'sign']: async (...args: never[]) => {
        const answer = await original.apply(target, args);
        if (!died) {
          died = true;
          throw new Error('the process died');
        }
        return answer;
      },
    });
  }

  it.each(['charge', 'signing', 'completion'] as const)('dies after the %s: 409 while its lock lives, then the retry resumes it', async (step) => {
    const context = setup();
    const { ledger, signed, processor, settle, clock } = context;
    dieAt(step, context);
    await expect(settle(request)).rejects.toThrow('died');
    await expect(settle(request)).rejects.toBeInstanceOf(RequestInFlightError);
    clock.now += 10_001;
    const { result, replayed } = await settle(request);
    expect(replayed).toBe(false);
    expect(ledger.records.size).toBe(1);
    expect(ledger.records.get(result.paymentId)?.paymentResponse).toBe(result.paymentResponse);
    // The processor was asked again under the same idempotency key: one charge at a real provider.
    expect(new Set(processor.charges.map((charge) => charge.idempotencyKey)).size).toBe(1);
    // Signatures made before the death were never released; only the recorded one reaches a client.
    expect(signed.at(-1)?.jti).toBe(result.paymentId);
    expect(await settle(request)).toEqual({ result, replayed: true });
  });

  it('a resumed payment keeps the mode it began in, even if the merchant changed mode since', async () => {
    const { ledger, signed, processor, settle, clock, merchant } = setup({ mode: 'test' }, ['test', 'live']);
    ledger.crashBefore = 'complete';
    await expect(settle(request)).rejects.toThrow('died');
    merchant.mode = 'live';
    clock.now += 10_001;
    const { result } = await settle(request);
    expect(processor.charges.map((charge) => charge.livemode)).toEqual([false, false]);
    expect(signed.at(-1)).toMatchObject({ jti: result.paymentId, livemode: false });
    expect(ledger.records.get(result.paymentId)?.livemode).toBe(false);
  });

  it('a failed completion unlocks the payment, so the retry resumes it at once', async () => {
    const { ledger, settle, clock } = setup();
    const complete = ledger.complete.bind(ledger);
    ledger.complete = async () => Promise.reject(new Error('the ledger is unreachable'));
    await expect(settle(request)).rejects.toThrow('unreachable');
    ledger.complete = complete;
    expect([...ledger.records.values()][0]).toMatchObject({ lockExpiresAt: 0 });
    expect((await settle(request)).result.status).toBe('SETTLED');
    expect(clock.now).toBe(T0);
  });

  it('a crash after the charge, then a retry with another amount: 422, and the processor never sees the new amount', async () => {
    const { ledger, signed, processor, settle, clock } = setup();
    ledger.crashBefore = 'complete';
    await expect(settle(request)).rejects.toThrow('died');
    clock.now += 60_000;
    await expect(settle({ ...request, amount: { value: 1, currency: 'USD' } })).rejects.toBeInstanceOf(IdempotencyKeyReusedError);
    expect(processor.charges.map((charge) => charge.amount.value)).toEqual([1999]);
    expect(signed.map((claims) => (claims.amount as { value: number }).value)).toEqual([1999]);
  });

  it("a begin whose answer was lost and whose retry met its own record proceeds: no 409 for the key's only request", async () => {
    const { ledger, settle } = setup();
    ledger.loseAnswerOfNextBegin = true;
    const { result, replayed } = await settle(request);
    expect([result.status, replayed]).toEqual(['SETTLED', false]);
    expect(ledger.records.get(result.paymentId)?.paymentResponse).toBe(result.paymentResponse);
  });

  it('an attempt that outlived its lock does not overwrite the one that took over', async () => {
    const { deps, ledger, settle, clock } = setup();
    // First attempt: begins, then stalls inside the processor past its lock.
    let resume: () => void = () => undefined;
    const stalled = new Promise<void>((resolve) => (resume = resolve));
    let entered: () => void = () => undefined;
    const inProcessor = new Promise<void>((resolve) => (entered = resolve));
    const process = deps.processor.process.bind(deps.processor);
    let first = true;
    deps.processor.process = async (charge) => {
      if (first) {
        first = false;
        entered();
        await stalled;
      }
      return process(charge);
    };
    const slow = settle(request);
    await inProcessor;
    clock.now += 10_001;
    const retry = await settle(request);
    resume();
    await expect(slow).resolves.toEqual({ result: retry.result, replayed: true });
    expect(ledger.records.size).toBe(1);
  });
});

it('scopes payment ids to the merchant', () => {
  expect(paymentIdFor('m_1', 'key')).not.toBe(paymentIdFor('m_2', 'key'));
  expect(paymentIdFor('m_1', 'key')).toBe(paymentIdFor('m_1', 'key'));
  // No separator games: merchant ids have no newline.
  expect(paymentIdFor('m_1', 'key')).toMatch(/^pay_[A-Za-z0-9_-]{43}$/);
});
