import { type ChaosClient, sleep } from './client.js';
import type { Observations, PaymentKey, SettlementBody } from './observations.js';
import type { Random } from './random.js';

export interface LoadOptions {
  /** Workers, each running one logical request at a time (a race runs `raceSize` at once). */
  workers: number;
  raceSize: number;
  /** A pause between a worker's operations: enough load to fill the fault windows, not to starve 2 cores. */
  thinkMs: number;
}

type Operation = 'new payment' | 'replay' | 'same-key race' | 'verification' | 'key reuse';

/** Mostly new payments, as a shop's traffic; the rest exercises what idempotency promises. */
const MIX: ReadonlyArray<readonly [Operation, number]> = [
  ['new payment', 55],
  ['replay', 13],
  ['same-key race', 10],
  ['verification', 15],
  ['key reuse', 7],
];

const TOKENS: ReadonlyArray<readonly [string, number]> = [
  ['tok_success', 80],
  ['tok_decline', 12],
  ['tok_error', 8],
];

const MERCHANTS = ['m_123', 'm_demo'] as const;

/** Mixed traffic from a few concurrent merchants' clients, until stopped. */
export class LoadGenerator {
  #running = false;
  #workers: Promise<void>[] = [];
  #next = 0;

  constructor(
    private readonly client: ChaosClient,
    private readonly observations: Observations,
    private readonly random: Random,
    private readonly options: LoadOptions,
    private readonly runId: string,
  ) {}

  start(): void {
    this.#running = true;
    this.#workers = Array.from({ length: this.options.workers }, () => this.#work());
  }

  /** Lets every worker finish its logical request (retries included), then returns. */
  async stop(): Promise<void> {
    this.#running = false;
    await Promise.all(this.#workers);
  }

  /**
   * Same-key retries of keys whose clients have no final answer and have stopped asking (gave
   * up, or were cut off by the crash); `everyKey` also replays each key that has one, which
   * checks after the faults that replays still give the same bytes.
   */
  async sweep(options: { concurrency: number; everyKey: boolean; withinMs: number }): Promise<void> {
    const queue = [...this.observations.payments.values()].filter(
      (payment) => payment.inFlight === 0 && (options.everyKey || payment.finalStatus === undefined),
    );
    // A stack that stopped answering must not stretch the run: keys not reached stay unresolved in the report.
    const until = Date.now() + options.withinMs;
    const worker = async () => {
      for (let payment = queue.shift(); payment && Date.now() < until; payment = queue.shift()) await this.client.settle(payment);
    };
    await Promise.all(Array.from({ length: options.concurrency }, worker));
  }

  async #work(): Promise<void> {
    while (this.#running) {
      await this.#operation(this.random.weighted(MIX));
      await sleep(this.random.int(this.options.thinkMs * 2));
    }
  }

  async #operation(operation: Operation): Promise<void> {
    const earlier = [...this.observations.payments.values()];
    const acknowledged = this.observations.acknowledged();
    switch (operation) {
      case 'new payment':
        await this.client.settle(this.#newPayment());
        return;
      case 'replay':
        await this.client.settle(earlier.length ? this.random.pick(earlier) : this.#newPayment());
        return;
      case 'same-key race': {
        const payment = this.#newPayment();
        await Promise.all(Array.from({ length: this.options.raceSize }, () => this.client.settle(payment)));
        return;
      }
      case 'verification': {
        if (!acknowledged.length) return;
        const payment = this.random.pick(acknowledged);
        const [paymentResponse] = payment.paymentResponses;
        await this.client.verify(payment, paymentResponse!, payment.finalStatus!);
        return;
      }
      case 'key reuse': {
        if (!acknowledged.length) return;
        const payment = this.random.pick(acknowledged);
        const otherBody = { ...payment.body, amount: { ...payment.body.amount, value: payment.body.amount.value + 1 } };
        const status = await this.client.settle(payment, otherBody);
        if (status !== undefined) this.observations.reuseAnswers.push(status);
        return;
      }
    }
  }

  #newPayment(): PaymentKey {
    const n = (this.#next += 1);
    const body: SettlementBody = {
      orderId: `o_${this.runId}_${n}`,
      amount: { value: 100 + this.random.int(100_000), currency: this.random.pick(['USD', 'EUR']) },
      paymentMethod: { type: 'card', token: this.random.weighted(TOKENS) },
    };
    return this.observations.newPayment(`chaos-${this.runId}-${n}`, this.random.pick(MERCHANTS), body);
  }
}
