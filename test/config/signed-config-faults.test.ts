// Signed configuration answers with KMS refusing or hanging, through the fault proxy in front of the
// local KMS: a signature the container keeps is served, an answer it cannot sign is a 503, and
// never an unsigned 200 or a 500. The file's order matters: the container meets KMS failing on its
// very first signature (the KMS client loads then), and its backoff carries from test to test.
import { setTimeout as pause } from 'node:timers/promises';
import { createLocalJWKSet, jwtVerify, type JSONWebKeySet } from 'jose';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CLIENT_CONFIG_TYP } from '../../shared/domain/config/signed-config.js';
import { FAILED_SIGNING_BACKOFF } from '../../shared/adapters/cached-config-signatures.js';
import { CONFIG_JWKS_PATH } from '../../shared/routes.js';
import { FUNCTION_TIMEOUT_MS, type FaultStack, startFaultStack, timed } from '../faults/fault-stack.js';
import { until } from '../support/until.js';

let stack: FaultStack;
beforeAll(async () => {
  stack = await startFaultStack();
});
afterEach(async () => stack.kmsProxy.set('pass'));
afterAll(async () => stack?.stop());

const getConfig = (country: string) =>
  timed(async () => {
    const response = await fetch(`${stack.url}/v1/config?country=${country}`);
    return { status: response.status, headers: response.headers, body: (await response.json()) as Record<string, any> };
  });

/** A 503 as the config function must answer it when it cannot sign: problem+json, Retry-After, no configuration in it. */
function expectUnavailable(answer: Awaited<ReturnType<typeof getConfig>>['result']): void {
  expect(answer.status).toBe(503);
  expect(answer.headers.get('content-type')).toBe('application/problem+json');
  expect(answer.headers.get('retry-after')).toBe('2');
  expect(answer.body).toMatchObject({ type: '/problems/config-unavailable', status: 503, detail: expect.stringContaining('could not be signed') });
  expect(answer.body).not.toHaveProperty('config');
  expect(answer.body).not.toHaveProperty('signature');
}

describe('KMS down and no signature kept: 503, never unsigned, never 500', () => {
  it('KMS hanging at the container\'s first signature: 503 config-unavailable with Retry-After, in time', async () => {
    await stack.kmsProxy.set('hang');
    const { result, ms } = await getConfig('DE');
    expect(ms).toBeLessThan(FUNCTION_TIMEOUT_MS);
    expectUnavailable(result);
  });

  it('then leaves KMS alone for a second: another answer is 503 at once, with no connection to KMS', async () => {
    await stack.kmsProxy.set('hang');
    const connections = stack.kmsProxy.connections();
    const { result, ms } = await getConfig('FR');
    expectUnavailable(result);
    expect(ms).toBeLessThan(200);
    expect(stack.kmsProxy.connections()).toBe(connections);
  });

  it('KMS refusing, once the backoff has run out: 503 again', async () => {
    await stack.kmsProxy.set('refuse');
    await pause(FAILED_SIGNING_BACKOFF.firstMs + 100);
    const { result, ms } = await getConfig('FR');
    expect(ms).toBeLessThan(FUNCTION_TIMEOUT_MS);
    expectUnavailable(result);
  });

  it('the config key set is still served: its public half came with the deployment', async () => {
    await stack.kmsProxy.set('refuse');
    const response = await fetch(`${stack.url}${CONFIG_JWKS_PATH}`);
    expect(response.status).toBe(200);
    expect(((await response.json()) as JSONWebKeySet).keys).toHaveLength(1);
  });
});

describe('KMS down with a signature kept', () => {
  it.each(['refuse', 'hang'] as const)('KMS %s: the kept signature is served, 200, signed and verifiable', async (fault) => {
    // KMS back: past the backoff of earlier failures, the container signs Germany's answer.
    const signed = await until(
      async () => {
        const { result } = await getConfig('DE');
        return result.status === 200 ? result : undefined;
      },
      { what: 'a signed answer for Germany' },
    );
    await stack.kmsProxy.set(fault);
    const { result, ms } = await getConfig('DE');
    expect(ms).toBeLessThan(200);
    expect(result.status).toBe(200);
    expect(result.body).toEqual(signed.body);
    expect(result.headers.get('etag')).toBe(signed.headers.get('etag'));
    const jwks = (await (await fetch(`${stack.url}${CONFIG_JWKS_PATH}`)).json()) as JSONWebKeySet;
    const { payload } = await jwtVerify(result.body.signature, createLocalJWKSet(jwks), { algorithms: ['ES256'], typ: CLIENT_CONFIG_TYP });
    expect(payload).toMatchObject({ country: 'DE', config: result.body.config });
  });
});
