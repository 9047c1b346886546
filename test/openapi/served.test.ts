import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import document from '../../openapi.json' with { type: 'json' };
import { checkedAnswers } from '../support/openapi-contract.js';
import { startTestStack, type TestStack } from '../support/test-stack.js';

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(async () => stack?.stop());

describe('GET /openapi.json', () => {
  it('serves the committed document, public and cacheable, as OpenAPI 3.1', async () => {
    const response = await fetch(`${stack.url}/openapi.json`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/vnd.oai.openapi+json;version=3.1');
    expect(response.headers.get('cache-control')).toBe('public, max-age=300');
    expect(response.headers.get('etag')).toMatch(/^"[A-Za-z0-9_-]{32}"$/);
    expect(await response.json()).toEqual(document);
  });

  it('answers 304 without a body when the client holds the current copy', async () => {
    const { headers } = await fetch(`${stack.url}/openapi.json`);
    const etag = headers.get('etag')!;
    const revalidated = await fetch(`${stack.url}/openapi.json`, { headers: { 'if-none-match': `"stale", ${etag}` } });
    expect(revalidated.status).toBe(304);
    expect(revalidated.headers.get('etag')).toBe(etag);
    expect(await revalidated.text()).toBe('');
    expect((await fetch(`${stack.url}/openapi.json`, { headers: { 'if-none-match': '"stale"' } })).status).toBe(200);
  });
});

describe('the test stack', () => {
  it('checks every answer it gives against openapi.json', async () => {
    const before = checkedAnswers();
    await fetch(`${stack.url}/v1/config?country=zz`);
    await fetch(`${stack.url}/.well-known/jwks.json`);
    expect(checkedAnswers() - before).toBe(2);
  });
});
