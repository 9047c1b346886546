// Every AWS call of a request is bounded by that request's deadline (the Lambda time left less the
// answer reserve), whether the request runs alone or beside others; outside a request there is none.
import type { Context } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { DeadlineExceededError, withinDeadline } from '../../shared/adapters/aws/call-deadline.js';
import { ANSWER_RESERVE_MS, httpHandler, jsonResponse } from '../../shared/http/http-handler.js';
import type { HttpEvent, HttpResult } from '../../shared/http/types.js';
import { functionObservability } from '../../shared/observability/function-observability.js';
import { METRICS_NAMESPACE } from '../../shared/observability/metric-names.js';
import { httpApiEvent, lambdaContext } from '../support/http-api-event.js';

/** How much later than `now` the current deadline is, to within `slackMs`: probes withinDeadline with a shifted clock. */
function deadlineIn(slackMs = 100): 'none' | 'passed' | number {
  if (!probe(0)) return 'passed';
  if (withinDeadline().abortSignal === undefined) {
    expect(withinDeadline(() => Number.MAX_SAFE_INTEGER)).toEqual({}); // no deadline at all, not merely a late one
    return 'none';
  }
  let low = 0;
  let high = 60_000;
  while (high - low > slackMs) {
    const middle = Math.floor((low + high) / 2);
    if (probe(middle)) low = middle;
    else high = middle;
  }
  return low;
}

function probe(aheadMs: number): boolean {
  try {
    withinDeadline(() => Date.now() + aheadMs);
    return true;
  } catch (error) {
    if (error instanceof DeadlineExceededError) return false;
    throw error;
  }
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 5));
type Call = (event: HttpEvent, context: Context) => Promise<HttpResult>;

/** A handler that records its deadline at each of the given moments, waiting for `release` between them. */
function probingHandler(seen: Array<number | string>, release: Array<Promise<void>>): Call {
  return httpHandler(functionObservability('verification', { POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE }), async () => {
    for (const moment of release) {
      seen.push(deadlineIn());
      await moment;
      await tick(); // a fresh turn of the event loop, as after an AWS call's I/O
    }
    seen.push(deadlineIn());
    return jsonResponse(200, {});
  }) as unknown as Call;
}

function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { open, opened };
}

const near = (expected: number) => expect.closeTo(expected, -2.5); // within about 150 ms

describe('the request deadline', () => {
  it('is the Lambda time left less the answer reserve, throughout the request, and gone after it', async () => {
    const seen: Array<number | string> = [];
    const { open, opened } = gate();
    const answered = probingHandler(seen, [opened])(httpApiEvent('GET /v1/things'), lambdaContext('deadline', 3_000));
    open();
    await answered;
    expect(seen).toEqual([near(3_000 - ANSWER_RESERVE_MS), near(3_000 - ANSWER_RESERVE_MS)]);
    expect(deadlineIn()).toBe('none');
  });

  it('is refused once passed: the call does not even start', async () => {
    const seen: Array<number | string> = [];
    await probingHandler(seen, [])(httpApiEvent('GET /v1/things'), lambdaContext('deadline', ANSWER_RESERVE_MS - 100));
    expect(seen).toEqual(['passed']);
  });

  it('stays each request’s own when requests overlap, whichever started first or ends first', async () => {
    const first: Array<number | string> = [];
    const second: Array<number | string> = [];
    const firstMayGoOn = gate();
    const secondMayGoOn = gate();
    const secondMayEnd = gate();
    const firstAnswered = probingHandler(first, [firstMayGoOn.opened])(httpApiEvent('GET /v1/first'), lambdaContext('first', 3_000));
    const secondAnswered = probingHandler(second, [secondMayGoOn.opened, secondMayEnd.opened])(
      httpApiEvent('GET /v1/second'),
      lambdaContext('second', 9_000),
    );
    // Both in flight: each sees its own; then the first ends while the second goes on.
    firstMayGoOn.open();
    secondMayGoOn.open();
    await firstAnswered;
    expect(deadlineIn()).toBe('none'); // no request's deadline leaks out of it
    secondMayEnd.open();
    await secondAnswered;
    expect(first).toEqual([near(2_500), near(2_500)]);
    expect(second).toEqual([near(8_500), near(8_500), near(8_500)]);
    expect(deadlineIn()).toBe('none');
  });

  it('is each request’s own when many run at once, and a request after them runs alone again', async () => {
    const seen = Array.from({ length: 5 }, () => [] as Array<number | string>);
    const { open, opened } = gate();
    const all = seen.map((mine, i) => probingHandler(mine, [opened])(httpApiEvent('GET /v1/things'), lambdaContext(`many-${i}`, 2_000 + i * 1_000)));
    open();
    await Promise.all(all);
    seen.forEach((mine, i) => expect(mine).toEqual([near(1_500 + i * 1_000), near(1_500 + i * 1_000)]));
    const alone: Array<number | string> = [];
    await probingHandler(alone, [])(httpApiEvent('GET /v1/things'), lambdaContext('alone', 4_000));
    expect(alone).toEqual([near(3_500)]);
  });
});
