import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { type Answer, checkAnswersFrom, contractViolationsOf, recordContractViolations, takeContractViolations } from '../support/openapi-contract.js';

// The check every answer of the tests passes through (test/support/contract-check.ts), fed answers
// that keep the contract and answers that break it in each way it looks at.

const SETTLE = { method: 'POST', path: '/v1/settlements' } as const;
const CONFIG = { method: 'GET', path: '/v1/config' } as const;
const REQUEST_ID = { 'x-request-id': 'req-1' };
const json = (body: unknown) => JSON.stringify(body);

const settled: Answer = {
  statusCode: 201,
  headers: { 'content-type': 'application/json', 'cache-control': 'no-store', ...REQUEST_ID },
  body: json({ paymentId: `pay_${'a'.repeat(43)}`, status: 'SETTLED', paymentResponse: 'aGVhZGVy.cGF5bG9hZA.c2ln' }),
};

const problem = (status: number, type: string, headers: Record<string, string> = {}): Answer => ({
  statusCode: status,
  headers: { 'content-type': 'application/problem+json', 'cache-control': 'no-store', ...REQUEST_ID, ...headers },
  body: json({ type, title: 'A title', status, detail: 'What to do.', instance: '/v1/settlements' }),
});

describe('the openapi.json response check', () => {
  it('passes answers that keep the contract, with their media type parameters and any header casing', () => {
    expect(contractViolationsOf(SETTLE, settled)).toEqual([]);
    expect(contractViolationsOf(SETTLE, { ...settled, headers: { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store', 'X-Request-Id': 'r' } })).toEqual([]);
    expect(contractViolationsOf(SETTLE, problem(409, '/problems/request-in-flight', { 'retry-after': '1' }))).toEqual([]);
    expect(contractViolationsOf(SETTLE, { statusCode: 401, headers: { 'content-type': 'application/json' }, body: json({ message: 'Unauthorized' }) })).toEqual([]);
  });

  it('refuses a status the operation does not document', () => {
    expect(contractViolationsOf(CONFIG, { ...settled, statusCode: 418 })).toEqual([expect.stringContaining('GET /v1/config 418: status not documented')]);
  });

  it('refuses an undocumented content type, and a body that is not JSON', () => {
    expect(contractViolationsOf(SETTLE, { ...settled, headers: { ...settled.headers, 'content-type': 'text/plain' } })).toEqual([
      expect.stringContaining('content-type text/plain is not documented'),
    ]);
    expect(contractViolationsOf(SETTLE, { ...settled, body: 'settled!' })).toEqual([expect.stringContaining('body is not JSON')]);
  });

  it('refuses an answer without a header documented as required, or with a header its schema refuses', () => {
    const { 'cache-control': _dropped, ...headers } = settled.headers!;
    expect(contractViolationsOf(SETTLE, { ...settled, headers })).toEqual([expect.stringContaining('required header cache-control is missing')]);
    expect(contractViolationsOf(SETTLE, problem(409, '/problems/request-in-flight'))).toEqual([expect.stringContaining('required header retry-after is missing')]);
    expect(contractViolationsOf(SETTLE, { ...settled, headers: { ...settled.headers, 'idempotent-replayed': 'yes' } })).toEqual([
      expect.stringContaining('header idempotent-replayed'),
    ]);
  });

  it('refuses a body its schema refuses: a missing member, an extra one, money as a float', () => {
    const body = JSON.parse(settled.body as string);
    const { paymentResponse: _missing, ...withoutToken } = body;
    expect(contractViolationsOf(SETTLE, { ...settled, body: json(withoutToken) })).toEqual([expect.stringContaining("must have required property 'paymentResponse'")]);
    expect(contractViolationsOf(SETTLE, { ...settled, body: json({ ...body, cardNumber: '4242' }) })).toEqual([
      expect.stringContaining('must NOT have additional properties'),
    ]);
    const config = {
      country: 'DE',
      source: 'query',
      version: 'default@1',
      config: { currency: 'EUR', locale: 'de-DE', paymentMethods: ['card'], features: {}, legal: { termsUrl: 'https://x.test/t', privacyUrl: 'https://x.test/p' } },
      signature: 'eyJhbGciOiJFUzI1NiJ9.e30.c2ln',
    };
    const configAnswer = (body: unknown): Answer => ({
      statusCode: 200,
      headers: { 'content-type': 'application/json', etag: '"abc"', 'cache-control': 'public', vary: 'Accept-Language', ...REQUEST_ID },
      body: json(body),
    });
    expect(contractViolationsOf(CONFIG, configAnswer(config))).toEqual([]);
    expect(contractViolationsOf(CONFIG, configAnswer({ ...config, config: { ...config.config, currency: 'euro' } }))).toEqual([
      expect.stringContaining('/config/currency must match pattern'),
    ]);
    const { signature: _unsigned, ...unsigned } = config;
    expect(contractViolationsOf(CONFIG, configAnswer(unsigned))).toEqual([expect.stringContaining("must have required property 'signature'")]);
    const plainHttp = { ...config, config: { ...config.config, legal: { ...config.config.legal, termsUrl: 'http://x.test/t' } } };
    expect(contractViolationsOf(CONFIG, configAnswer(plainHttp))).toEqual([expect.stringContaining('/config/legal/termsUrl must match pattern "^https://"')]);
  });

  it("refuses a problem type the route does not document for the status, and a 304 with a body", () => {
    expect(contractViolationsOf(SETTLE, problem(403, '/problems/unknown-caller'))).toEqual([]);
    expect(contractViolationsOf(SETTLE, problem(403, '/problems/keys-unavailable'))).toEqual([expect.stringContaining('/type must be equal to one of the allowed values')]);
    const notModified = { statusCode: 304, headers: { etag: '"abc"', 'cache-control': 'public', vary: 'Accept-Language', ...REQUEST_ID } };
    expect(contractViolationsOf(CONFIG, notModified)).toEqual([]);
    expect(contractViolationsOf(CONFIG, { ...notModified, body: '{}' })).toEqual([expect.stringContaining('documented without a body')]);
  });

  it('keeps what it recorded until the setup file takes it, once', () => {
    recordContractViolations(CONFIG, { ...settled, statusCode: 418 });
    expect(takeContractViolations()).toEqual([expect.stringContaining('418')]);
    expect(takeContractViolations()).toEqual([]);
  });
});

describe('answers of a stack in another process', () => {
  it('are checked when fetched from an origin registered with checkAnswersFrom, and only then', async () => {
    // A server that breaks the contract on a route: no x-request-id, a body that is no config answer.
    const server = createServer((_request, response) => response.writeHead(200, { 'content-type': 'application/json' }).end('{"currency":"EUR"}'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      await (await fetch(`${origin}/v1/config`)).text();
      expect(takeContractViolations()).toEqual([]);

      const stopChecking = checkAnswersFrom(origin);
      const answer = await fetch(`${origin}/v1/config`);
      expect(await answer.json()).toEqual({ currency: 'EUR' }); // the caller still reads the body
      expect(takeContractViolations()).toEqual(
        expect.arrayContaining(['GET /v1/config 200: required header x-request-id is missing', expect.stringMatching(/^GET \/v1\/config 200: application\/json body .*'country'/)]),
      );

      stopChecking();
      await (await fetch(`${origin}/v1/config`)).text();
      expect(takeContractViolations()).toEqual([]);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
