// What the functions log, at the most verbose level: every line of a request carries its
// correlation id (also sent back as x-request-id) and the Lambda context, one record reports each
// answer (its route's EMF line), and no token, card data or secret is ever written, on success or
// failure.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVerificationHandler } from '../../functions/verification/create-handler.js';
import { verificationEnvSchema } from '../../functions/verification/env.js';
import type { HttpEvent, HttpResult } from '../../shared/http/types.js';
import { parseEnv } from '../../shared/lambda-env/parse-env.js';
import { REQUEST_ID_HEADER } from '../../shared/observability/metric-names.js';
import { type FaultStack, startFaultStack } from '../faults/fault-stack.js';
import { httpApiEvent, lambdaContext } from '../support/http-api-event.js';
import { bearer, postSettlement, SETTLEMENT_EXAMPLE } from '../support/test-stack.js';
import { type CapturedOutput, capturing } from './support/captured-output.js';

let stack: FaultStack;
beforeAll(async () => {
  process.env.POWERTOOLS_LOG_LEVEL = 'DEBUG';
  process.env.POWERTOOLS_METRICS_DISABLED = 'false';
  stack = await startFaultStack();
});
afterAll(async () => stack?.stop());

interface Exchange {
  what: string;
  service: string;
  status: number;
  requestId: string | null;
  output: CapturedOutput;
}

/** One request through the local stack, its answer and all it wrote. */
async function exchange(what: string, service: string, request: () => Promise<Response>): Promise<Exchange & { body: any }> {
  const { result, output } = await capturing(async () => {
    const response = await request();
    const text = await response.text();
    return { status: response.status, requestId: response.headers.get(REQUEST_ID_HEADER), body: text.startsWith('{') ? JSON.parse(text) : text };
  });
  return { what, service, output, ...result };
}

const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${stack.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

const CARD_NUMBER = '4111111111111111';
const exchanges: Exchange[] = [];
const secrets: Record<string, string> = {};

describe('settlement, verification and config flows logged at DEBUG', () => {
  beforeAll(async () => {
    const token = stack.devTokens.m_123!;
    const settle = (body: unknown, key: string) => postSettlement(stack.url, body, key, bearer(token));
    const key = `logs-${Date.now()}`;
    const run = async (what: string, service: string, request: () => Promise<Response>) => {
      const done = await exchange(what, service, request);
      exchanges.push(done);
      return done;
    };
    const asResponse = async (reply: Awaited<ReturnType<typeof settle>>) => new Response(reply.text, { status: reply.status, headers: reply.headers });

    const settled = await run('a settlement', 'settlement', async () => asResponse(await settle(SETTLEMENT_EXAMPLE, key)));
    await run('its replay', 'settlement', async () => asResponse(await settle(SETTLEMENT_EXAMPLE, key)));
    const card = { ...SETTLEMENT_EXAMPLE, orderId: 'o_card', paymentMethod: { type: 'card', token: `tok_${CARD_NUMBER}` } };
    await run('a settlement with an unknown card token', 'settlement', async () => asResponse(await settle(card, `${key}-card`)));
    const failing = { ...SETTLEMENT_EXAMPLE, orderId: 'o_error', paymentMethod: { type: 'card', token: 'tok_error' } };
    await run('a settlement the processor fails', 'settlement', async () => asResponse(await settle(failing, `${key}-error`)));
    await stack.kmsProxy.set('refuse');
    await run('a settlement while KMS is down', 'settlement', async () => asResponse(await settle({ ...SETTLEMENT_EXAMPLE, orderId: 'o_kms' }, `${key}-kms`)));
    await stack.kmsProxy.set('pass');

    const paymentResponse = settled.body.paymentResponse as string;
    const expected = { merchantId: 'm_123', orderId: SETTLEMENT_EXAMPLE.orderId, amount: SETTLEMENT_EXAMPLE.amount };
    const verified = await run('a verification with a nonce', 'verification', () =>
      post('/v1/verifications', { paymentResponse, expected, nonce: 'n0nce-logs-test-0001' }),
    );
    const [header, payload, signature] = paymentResponse.split('.') as [string, string, string];
    const forged = `${header}.${payload}.${signature.startsWith('A') ? 'B' : 'A'}${signature.slice(1)}`;
    await run('a forged payment response', 'verification', () => post('/v1/verifications', { paymentResponse: forged, expected }));
    await run('a verification request that is not one', 'verification', () => post('/v1/verifications', { paymentResponse, unexpected: true }));

    await run('a config lookup through CloudFront', 'config', () => fetch(`${stack.url}/v1/config`, { headers: { 'cloudfront-viewer-country': 'DE' } }));
    await stack.dynamodbProxy.set('refuse');
    await run('a config lookup while DynamoDB is down', 'config', () => fetch(`${stack.url}/v1/config?country=FR`));
    await stack.dynamodbProxy.set('pass');
    await run('the JWKS', 'jwks', () => fetch(`${stack.url}/.well-known/jwks.json`));

    Object.assign(secrets, {
      'bearer token': token,
      'origin-verify secret': process.env.VIEWER_COUNTRY_ORIGIN_SECRET!,
      'payment response': paymentResponse,
      'its signature': signature,
      'forged payment response': forged,
      verdict: verified.body.verdict as string,
      'card number': CARD_NUMBER,
      ...Object.fromEntries(['tok_success', 'tok_error'].map((cardToken) => [`card token ${cardToken}`, cardToken])),
    });
  });

  it('covered every path it meant to: answers of each kind, problems included', () => {
    expect(exchanges.map(({ what, status }) => [what, status])).toEqual([
      ['a settlement', 201],
      ['its replay', 201],
      ['a settlement with an unknown card token', 400],
      ['a settlement the processor fails', 502],
      ['a settlement while KMS is down', 503],
      ['a verification with a nonce', 200],
      ['a forged payment response', 200],
      ['a verification request that is not one', 400],
      ['a config lookup through CloudFront', 200],
      ['a config lookup while DynamoDB is down', 503],
      ['the JWKS', 200],
    ]);
    expect(secrets.verdict).toMatch(/^eyJ/);
    expect(secrets['origin-verify secret']!.length).toBeGreaterThanOrEqual(16);
  });

  it('writes no token, card data or secret, to stdout or stderr', () => {
    const written = exchanges.map(({ output }) => output.text()).join('');
    // Something was written: failures were logged with their errors, every answer with its record.
    expect(written).toContain('"request failed"');
    expect(written).toContain('"request answered"');
    for (const [what, value] of Object.entries(secrets)) expect(written.includes(value), `${what} was written`).toBe(false);
    // Whatever its origin: a compact JWS or JWT starts with a JSON header, `{"` as base64url.
    expect(written).not.toMatch(/eyJ[\w-]*\.[\w-]*\.[\w-]+/);
  });

  it('sends the correlation id back as x-request-id on every answer, problems included', () => {
    for (const { what, requestId } of exchanges) expect(requestId, what).toMatch(/^[0-9a-f-]{36}$/);
    expect(new Set(exchanges.map(({ requestId }) => requestId)).size).toBe(exchanges.length);
  });

  it('puts the correlation id and the Lambda context on every line of a request, log lines and answer record, under the function\'s own service', () => {
    for (const { what, service, requestId, output } of exchanges) {
      const lines = [...output.logLines(), ...output.answerRecords()];
      expect(output.answerRecords(), what).toHaveLength(1);
      for (const line of lines) {
        expect(line, what).toMatchObject({ correlation_id: requestId, service, function_name: `local-${service}`, function_request_id: expect.any(String) });
      }
    }
  });

  it('reports each answer in one record, the EMF line of its route: status, latency, and the ids the function knows', () => {
    for (const { what, status, output } of exchanges) {
      const route = expect.stringMatching(/^(GET|POST) \//);
      expect(output.answerRecords(), what).toEqual([expect.objectContaining({ status, Latency: expect.any(Number), route, Route: route, Requests: 1 })]);
      const [record] = output.answerRecords();
      expect(record!.route, what).toBe(record!.Route);
      // The record is the answer's only report: no log line repeats it.
      expect(output.logLines().filter((line) => line.message === 'request answered'), what).toEqual([]);
    }
    const [settled, , card] = exchanges;
    const answerOf = (exchange: Exchange) => exchange.output.answerRecords()[0];
    expect(answerOf(settled!)).toMatchObject({ merchantId: 'm_123', paymentId: expect.stringMatching(/^pay_/), paymentStatus: 'SETTLED', replayed: false });
    expect(answerOf(card!)).toMatchObject({ merchantId: 'm_123', problem: 'validation-failed' });
    expect(answerOf(exchanges[5]!)).toMatchObject({ reason: 'OK', paymentId: expect.stringMatching(/^pay_/), merchantId: 'm_123' });
    // A forged token's claims are nobody's facts: no ids from it.
    expect(answerOf(exchanges[6]!)).toMatchObject({ reason: 'BAD_SIGNATURE' });
    expect(answerOf(exchanges[6]!)).not.toHaveProperty('paymentId');
  });

  it('starts every request without the keys of the requests before it, on its log lines and in its record', () => {
    const linesOf = ({ output }: Exchange) => [...output.logLines(), ...output.answerRecords()];
    // The first two settlements learned a payment id, the three after them never do.
    for (const exchange of exchanges.slice(2, 5)) for (const line of linesOf(exchange)) expect(line, exchange.what).not.toHaveProperty('paymentId');
    // Config and JWKS requests know no merchant; the verifications before them did.
    for (const exchange of exchanges.slice(8)) for (const line of linesOf(exchange)) expect(line, exchange.what).not.toHaveProperty('merchantId');
    expect(exchanges.slice(8).flatMap(({ output }) => output.logLines()).length).toBeGreaterThan(0);
  });
});

describe('the correlation id is API Gateway\'s request id', () => {
  type Call = (event: HttpEvent, context: ReturnType<typeof lambdaContext>) => Promise<HttpResult>;
  const verification = () =>
    createVerificationHandler(
      parseEnv(verificationEnvSchema, {
        TRUSTED_PAYMENT_KEY_ARNS: 'arn:aws:kms:us-east-1:111122223333:key/0f1d7c2a-1111-4a4a-9b9b-000000000001',
        VERDICT_SIGNING_KEY_ARN: 'arn:aws:kms:us-east-1:111122223333:key/0f1d7c2a-1111-4a4a-9b9b-000000000003',
        LEDGER_TABLE_NAME: 'ledger',
        PAYMENT_ISSUER: 'https://pay.example.test',
      }),
    ) as unknown as Call;

  it.each([
    ['a verification result', JSON.stringify({ paymentResponse: 'not-a-jws', expected: { merchantId: 'm_1', orderId: 'o_1', amount: { value: 1, currency: 'USD' } } }), 200],
    ['a problem', '{', 400],
  ])('%s carries it in x-request-id, and every line of the request names it and the Lambda request', async (_what, body, status) => {
    const handler = verification();
    const event = httpApiEvent('POST /v1/verifications', { body, headers: { 'content-type': 'application/json' } });
    const context = lambdaContext('verification', 3_000);
    const { result, output } = await capturing(() => handler(event, context));
    expect(result.statusCode).toBe(status);
    expect(result.headers?.[REQUEST_ID_HEADER]).toBe(event.requestContext.requestId);
    expect(output.answerRecords()).toEqual([expect.objectContaining({ status })]);
    const lines = [...output.logLines(), ...output.answerRecords()];
    for (const line of lines) expect(line).toMatchObject({ correlation_id: event.requestContext.requestId, function_request_id: context.awsRequestId });
  });
});
