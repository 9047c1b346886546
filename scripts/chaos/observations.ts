/**
 * What the chaos clients saw, kept for the audit: every HTTP attempt, and per Idempotency-Key
 * what it was sent for and what came back. The audit compares this with the ledger, so it
 * records answers exactly as received (body text), never an interpretation of them.
 */

export type Route = 'settlement' | 'verification';

export interface SettlementBody {
  orderId: string;
  amount: { value: number; currency: string };
  paymentMethod: { type: 'card'; token: string };
}

export interface Attempt {
  route: Route;
  /** The Idempotency-Key of a settlement. */
  key?: string;
  startedAt: number;
  endedAt: number;
  /** Undefined when no answer came: connection refused or dropped, or the client gave up waiting. */
  status?: number;
  networkError?: string;
  /** The `type` of a problem+json answer. */
  problemType?: string;
  retryAfter?: string;
  /** API Gateway's own `{"message": ...}` answer (a throw or a timeout of the function), not the function's. */
  fromGateway: boolean;
}

/** One payment as its clients know it: the key, the body it was made with, every answer they got. */
export interface PaymentKey {
  key: string;
  merchantId: string;
  body: SettlementBody;
  /** The 201/402 bodies seen; a replay must be the same bytes, so more than one is a finding. */
  acknowledgedBodies: Set<string>;
  /** The distinct signed responses seen: more than one means the payment was signed twice and both escaped. */
  paymentResponses: Set<string>;
  /** 201, 402 or 422 once a client got one for this body. */
  finalStatus?: number;
  /** Its own, unchanged request was answered 422 (key reused) at some point: a finding. */
  refusedAsReuse: boolean;
  /** Logical requests of this key still running, so sweeps leave them to their own client. */
  inFlight: number;
  /** Attempts sent with this key, any body. */
  sent: number;
}

/** From a client's first 409 to its next other answer (or to when it stopped asking). */
export interface Block {
  key: string;
  from: number;
  to: number;
}

/** A time span the runner declared: a dependency fault, or the stack being down after SIGKILL. */
export interface Window {
  kind: 'fault' | 'crash';
  label: string;
  from: number;
  to: number;
}

export interface VerificationCheck {
  /** The settlement status the response came with (201 or 402). */
  settledWith: number;
  paymentCompleted: boolean;
  reason: string;
}

export class Observations {
  readonly attempts: Attempt[] = [];
  readonly payments = new Map<string, PaymentKey>();
  readonly windows: Window[] = [];
  readonly verifications: VerificationCheck[] = [];
  readonly blocks: Block[] = [];
  /**
   * Keys whose first request was answered 409 before any other was sent with the key: the
   * function met its own pending record (an SDK retry of a write whose answer was lost) and
   * took it for another request's.
   */
  readonly selfBlocked: string[] = [];
  /** Final answers to a known key sent with another body: anything but 422 binds one key to two payments. */
  readonly reuseAnswers: number[] = [];
  #open: Window | undefined;

  newPayment(key: string, merchantId: string, body: SettlementBody): PaymentKey {
    const payment: PaymentKey = {
      key,
      merchantId,
      body,
      acknowledgedBodies: new Set(),
      paymentResponses: new Set(),
      refusedAsReuse: false,
      inFlight: 0,
      sent: 0,
    };
    this.payments.set(key, payment);
    return payment;
  }

  acknowledged(): PaymentKey[] {
    return [...this.payments.values()].filter((payment) => payment.paymentResponses.size > 0);
  }

  openWindow(kind: Window['kind'], label: string): void {
    this.closeWindow();
    this.#open = { kind, label, from: Date.now(), to: Number.POSITIVE_INFINITY };
    this.windows.push(this.#open);
  }

  closeWindow(): void {
    if (this.#open) this.#open.to = Date.now();
    this.#open = undefined;
  }

  /**
   * Which fault a span (a long block) belongs to: the last window that began before it did. A
   * block often starts just after its fault, when the retry meets the lock a lost write left.
   */
  during(span: { startedAt: number; endedAt: number }): string {
    const window = this.causeOf(span);
    if (!window) return 'steady';
    return span.startedAt <= window.to ? window.label : `after ${window.label}`;
  }

  causeOf(span: { startedAt: number }): Window | undefined {
    return this.windows.findLast((candidate) => candidate.from <= span.startedAt);
  }

  /** Whether a span (an attempt, a block) overlapped a window of `kind`: answers under a fault, errors around the crash. */
  overlaps(span: { startedAt: number; endedAt: number }, kind: Window['kind'], graceMs = 0): boolean {
    return this.windows.some((window) => window.kind === kind && span.startedAt <= window.to + graceMs && span.endedAt >= window.from);
  }

  /** Every attempt, window and block, for a look after the run (`--keep`): which attempts made a key wait. */
  toJSON(): unknown {
    const { attempts, windows, blocks, selfBlocked } = this;
    return { windows, attempts, blocks, selfBlocked };
  }
}
