import { isCompleted, type Ledger, type LedgerBegin, type LedgerRecord, type PaymentLock } from '../../shared/domain/settlement/ledger-record.js';
import type { PaymentStatus } from '../../shared/domain/settlement/payment-response.js';

/**
 * The ledger port with DynamoDB's conditional-write semantics, in memory, for use-case tests.
 * `crashBefore` makes the next call of that operation throw as if the process died there.
 * The DynamoDB adapter is held to the same behaviour by test/settlement/aws-adapters-contract.ts.
 */
export class InMemoryLedger implements Ledger {
  readonly records = new Map<string, LedgerRecord>();
  crashBefore: keyof Ledger | undefined;
  /** The next begin is applied, but its answer is lost and the SDK's retry meets the record it wrote. */
  loseAnswerOfNextBegin = false;
  readonly calls: Array<keyof Ledger> = [];

  async get(paymentId: string) {
    this.#enter('get');
    return structuredClone(this.records.get(paymentId));
  }

  async begin(pending: LedgerRecord): Promise<LedgerBegin> {
    this.#enter('begin');
    const existing = this.records.get(pending.paymentId);
    if (existing) return { begun: false, existing: structuredClone(existing) };
    this.records.set(pending.paymentId, structuredClone(pending));
    if (this.loseAnswerOfNextBegin) {
      this.loseAnswerOfNextBegin = false;
      return { begun: false, existing: structuredClone(pending) };
    }
    return { begun: true };
  }

  async takeOver(paymentId: string, expiredToken: string, lock: PaymentLock) {
    this.#enter('takeOver');
    const record = this.#heldWith(paymentId, expiredToken);
    if (!record) return false;
    Object.assign(record, { lockToken: lock.token, lockExpiresAt: lock.expiresAt });
    return true;
  }

  async complete(paymentId: string, lockToken: string, outcome: { status: PaymentStatus; paymentResponse: string }) {
    this.#enter('complete');
    const record = this.#heldWith(paymentId, lockToken);
    if (record) {
      Object.assign(record, outcome);
      delete record.lockToken;
      delete record.lockExpiresAt;
    }
    return structuredClone(this.records.get(paymentId));
  }

  async release(paymentId: string, lockToken: string, how: 'forget' | 'unlock') {
    this.#enter('release');
    const record = this.#heldWith(paymentId, lockToken);
    if (!record) return;
    if (how === 'forget') this.records.delete(paymentId);
    else record.lockExpiresAt = 0;
  }

  #heldWith(paymentId: string, lockToken: string): LedgerRecord | undefined {
    const record = this.records.get(paymentId);
    return record && !isCompleted(record) && record.lockToken === lockToken ? record : undefined;
  }

  #enter(operation: keyof Ledger) {
    this.calls.push(operation);
    if (this.crashBefore === operation) {
      this.crashBefore = undefined;
      throw new Error(`the process died before ${operation}`);
    }
  }
}
