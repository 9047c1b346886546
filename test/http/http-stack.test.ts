// The shared HTTP stack: middy with our execution mode, which must behave as middy's own, less its AbortController.
import middy, { type PluginExecutionMode } from '@middy/core';
import type { Context } from 'aws-lambda';
import { afterEach, describe, expect, it } from 'vitest';
import { ValidationError } from '../../shared/errors.js';
import { executionModeWithoutAbortSignal } from '../../shared/http/execution-mode.js';
import { httpHandler, jsonHttpHandler, jsonResponse } from '../../shared/http/http-handler.js';
import type { HttpEvent, HttpResult } from '../../shared/http/types.js';
import { functionObservability } from '../../shared/observability/function-observability.js';
import { METRICS_NAMESPACE } from '../../shared/observability/metric-names.js';
import { httpApiEvent, lambdaContext } from '../support/http-api-event.js';

const context = lambdaContext('http-stack', 3_000);
const observability = functionObservability('verification', { POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE });
const post = (body: string, headers: Record<string, string> = { 'content-type': 'application/json' }) =>
  httpApiEvent('POST /v1/things', { body, headers });

describe('the shared HTTP stack', () => {
  // As Lambda calls it: an API Gateway event in (the stack adds jsonBody), a result out.
  const echo = jsonHttpHandler(observability, async (event) => jsonResponse(200, { got: event.jsonBody }, { 'cache-control': 'no-store' })) as unknown as (
    event: HttpEvent,
    context: Context,
  ) => Promise<HttpResult>;

  it('answers with the handler’s result, its headers and the security headers', async () => {
    const result = await echo(post('{"a":1}'), context);
    expect(result).toMatchObject({ statusCode: 200, body: '{"got":{"a":1}}' });
    expect(result.headers).toMatchObject({
      'content-type': 'application/json',
      'cache-control': 'no-store',
      'X-Content-Type-Options': 'nosniff',
      'Cross-Origin-Resource-Policy': 'cross-origin',
    });
    expect(result.headers?.['Strict-Transport-Security']).toContain('max-age=');
  });

  it.each([
    ['a body that is not JSON', post('{'), 400, 'malformed-body'],
    ['a body that is not sent as JSON', post('{}', { 'Content-Type': 'text/plain' }), 415, 'unsupported-media-type'],
    ['a body over the limit', post(JSON.stringify({ pad: 'x'.repeat(16 * 1024) })), 413, 'payload-too-large'],
  ])('refuses %s with a problem that carries the security headers too', async (_what, event, status, code) => {
    const result = await echo(event, context);
    expect(result.statusCode).toBe(status);
    expect(JSON.parse(result.body!)).toMatchObject({ type: `/problems/${code}`, status });
    expect(result.headers).toMatchObject({ 'content-type': 'application/problem+json', 'X-Content-Type-Options': 'nosniff' });
  });

  it('turns a handler’s error into its problem, and anything unexpected into a bare 500', async () => {
    const refusing = httpHandler(observability, async () => {
      throw new ValidationError('The thing is invalid: x is required.', [{ path: 'x', message: 'is required' }]);
    });
    const failing = httpHandler(observability, async () => {
      throw new Error('arn:aws:kms:eu-west-1:123456789012:key/secret');
    });
    const refused = await refusing(httpApiEvent('GET /v1/things'), context);
    expect(refused.statusCode).toBe(400);
    expect(JSON.parse(refused.body!)).toMatchObject({ errors: [{ path: 'x', message: 'is required' }] });
    const failed = await failing(httpApiEvent('GET /v1/things'), context);
    expect(failed.statusCode).toBe(500);
    expect(failed.body).not.toContain('arn:aws');
    expect(failed.headers).toMatchObject({ 'X-Content-Type-Options': 'nosniff' });
  });

  describe('per request', () => {
    const RealAbortController = globalThis.AbortController;
    afterEach(() => {
      globalThis.AbortController = RealAbortController;
    });

    it('makes no AbortController, as middy’s standard execution mode does for its early timeout', async () => {
      let made = 0;
      globalThis.AbortController = class extends RealAbortController {
        constructor() {
          super();
          made += 1;
        }
      };
      await echo(post('{"a":1}'), context);
      await echo(post('{'), context);
      expect(made).toBe(0);
      // The same count sees middy's own mode make one per request: the assertion above can fail.
      await middy(async () => ({ statusCode: 204 }), { timeoutEarlyInMillis: 0 })({}, context);
      expect(made).toBe(1);
    });
  });
});

/** A middleware that writes its name into the trace; `answer` makes it respond early, `fail` makes it throw. */
function traced(trace: string[], name: string, options: { answer?: string; fail?: string; async?: boolean } = {}) {
  const step = (phase: string) => (request: middy.Request) => {
    trace.push(`${name}.${phase}`);
    if (options.fail === phase) throw new Error(`${name}.${phase} failed`);
    if (options.answer === phase) return { statusCode: 299, body: name };
    if (phase === 'onError' && name === 'catcher') request.response = { statusCode: 500, body: String((request.error as Error).message) };
    return undefined;
  };
  const wrap = (fn: (request: middy.Request) => unknown) => (options.async ? async (request: middy.Request) => fn(request) : fn);
  return { before: wrap(step('before')), after: wrap(step('after')), onError: wrap(step('onError')) };
}

/** The same middlewares and handler through middy's standard execution mode and through ours. */
async function bothModes(build: (trace: string[]) => { middlewares: ReturnType<typeof traced>[]; handler: () => Promise<unknown> }) {
  const runs = [];
  for (const executionMode of [undefined, executionModeWithoutAbortSignal as unknown as PluginExecutionMode]) {
    const trace: string[] = [];
    const { middlewares, handler } = build(trace);
    const stack = middy({ timeoutEarlyInMillis: 0, ...(executionMode ? { executionMode } : {}) }).use(middlewares).handler(async () => {
      trace.push('handler');
      return handler();
    });
    const outcome = await stack({}, {} as Context).then(
      (response) => ({ response }),
      (error: Error) => ({ thrown: error.message }),
    );
    runs.push({ trace, outcome });
  }
  return { standard: runs[0], ours: runs[1] };
}

describe('executionModeWithoutAbortSignal', () => {
  it.each([
    ['runs before in order, then the handler, then after in reverse', () => ({})],
    ['answers early from a before middleware, skipping the handler and every after', () => ({ second: { answer: 'before' } })],
    ['answers early from an after middleware, skipping the rest', () => ({ second: { answer: 'after' } })],
    ['gives a failing before middleware to onError, in reverse', () => ({ second: { fail: 'before' } })],
    ['gives a failing after middleware to onError', () => ({ third: { fail: 'after' } })],
    ['rethrows an error no onError answered', () => ({ catcherless: true, second: { fail: 'before' } })],
    ['rethrows an error thrown by an onError middleware', () => ({ second: { fail: 'before' }, third: { fail: 'onError' } })],
    ['awaits asynchronous middlewares as synchronous ones', () => ({ async: true, second: { answer: 'after', async: true } })],
  ])('%s, as middy’s standard mode does', async (_what, variant) => {
    const options = variant() as Record<string, { answer?: string; fail?: string; async?: boolean }> & { catcherless?: boolean; async?: boolean };
    const { standard, ours } = await bothModes((trace) => ({
      middlewares: [
        ...(options.catcherless ? [] : [traced(trace, 'catcher')]),
        traced(trace, 'first', { async: options.async === true }),
        traced(trace, 'second', options.second ?? {}),
        traced(trace, 'third', options.third ?? {}),
      ],
      handler: async () => ({ statusCode: 200, body: 'handled' }),
    }));
    expect(ours).toEqual(standard);
  });

  it('gives a failing handler to onError, as middy’s standard mode does', async () => {
    const { standard, ours } = await bothModes((trace) => ({
      middlewares: [traced(trace, 'catcher'), traced(trace, 'first')],
      handler: async () => {
        throw new Error('handler failed');
      },
    }));
    expect(ours).toEqual(standard);
    expect(ours?.outcome).toEqual({ response: { statusCode: 500, body: 'handler failed' } });
  });

  it('refuses an early timeout, which it would not answer', () => {
    expect(() => middy({ executionMode: executionModeWithoutAbortSignal as unknown as PluginExecutionMode })).toThrow(/timeoutEarlyInMillis/);
  });
});
