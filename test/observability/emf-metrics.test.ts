// A local run of each function writes the EMF metrics of its paths to stdout, as Lambda would
// hand them to CloudWatch: the names and dimension sets of shared/observability/metric-names.ts,
// which the alarms and the dashboard watch. The file's order matters for config (its cache).
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { METRICS } from '../../shared/observability/metric-names.js';
import { PAYMENT_JWKS_PATH, VERDICT_JWKS_PATH } from '../../shared/routes.js';
import { type FaultStack, startFaultStack } from '../faults/fault-stack.js';
import { bearer, postSettlement, SETTLEMENT_EXAMPLE } from '../support/test-stack.js';
import { capturing, type EmfMetric } from './support/captured-output.js';
import { expectContractMetrics, sumOf, valuesOf } from './support/emf.js';

let stack: FaultStack;
beforeAll(async () => {
  // Handlers create their metrics when the stack loads them: on, with a cache that expires within the file.
  process.env.POWERTOOLS_METRICS_DISABLED = 'false';
  process.env.CONFIG_CACHE_TTL_SECONDS = '1';
  stack = await startFaultStack();
});
afterEach(async () => {
  await stack.dynamodbProxy.set('pass');
  await stack.kmsProxy.set('pass');
});
afterAll(async () => stack?.stop());

/**
 * One request and the metrics it wrote, all of them of the contract and under the function's
 * service, on one line per dimension set: the values of several calls share their line.
 */
async function measured<T>(service: string, request: () => Promise<T>): Promise<{ result: T; metrics: EmfMetric[] }> {
  const { result, output } = await capturing(request);
  const metrics = output.metrics();
  expectContractMetrics(metrics, service);
  const lines = output.emfLineDimensions();
  expect(new Set(lines).size, lines.join(' | ')).toBe(lines.length);
  return { result, metrics };
}

function expectRequest(metrics: EmfMetric[], route: string, outcome: 'ok' | 'client error' | 'server error'): void {
  const Route = route;
  expect(sumOf(metrics, METRICS.requests, { Route })).toBe(1);
  expect(valuesOf(metrics, METRICS.latency, { Route })).toEqual([expect.any(Number)]);
  expect(valuesOf(metrics, METRICS.latency, { Route })[0]).toBeGreaterThan(0);
  // An error is counted when there is one: no zeros.
  expect(valuesOf(metrics, METRICS.clientErrors, { Route })).toEqual(outcome === 'client error' ? [1] : []);
  expect(valuesOf(metrics, METRICS.serverErrors, { Route })).toEqual(outcome === 'server error' ? [1] : []);
}

const SETTLEMENTS = 'POST /v1/settlements';
const settle = (body: unknown, key: string | undefined) => postSettlement(stack.url, body, key, bearer(stack.devTokens.m_123!));

describe('settlement', () => {
  const key = `emf-${Date.now()}`;

  it('a settled payment: the request, Settlements by status, and each KMS and DynamoDB call', async () => {
    const { result, metrics } = await measured('settlement', () => settle(SETTLEMENT_EXAMPLE, key));
    expect(result.status).toBe(201);
    expectRequest(metrics, SETTLEMENTS, 'ok');
    expect(sumOf(metrics, METRICS.settlements, { Status: 'SETTLED' })).toBe(1);
    expect(valuesOf(metrics, METRICS.dependencyLatency, { Dependency: 'KMS' })).toHaveLength(1);
    expect(valuesOf(metrics, METRICS.dependencyLatency, { Dependency: 'DynamoDB' }).length).toBeGreaterThanOrEqual(2);
    expect(sumOf(metrics, METRICS.dependencyErrors)).toBe(0);
    expect(sumOf(metrics, METRICS.dependencyThrottles)).toBe(0);
  });

  it('a replay counts as a settlement too, and signs nothing: no KMS call', async () => {
    const { result, metrics } = await measured('settlement', () => settle(SETTLEMENT_EXAMPLE, key));
    expect(result.headers.get('idempotent-replayed')).toBe('true');
    expectRequest(metrics, SETTLEMENTS, 'ok');
    expect(sumOf(metrics, METRICS.settlements, { Status: 'SETTLED' })).toBe(1);
    expect(valuesOf(metrics, METRICS.dependencyLatency, { Dependency: 'KMS' })).toEqual([]);
    // The ledger's conditional write, refused because the payment exists, is an answer, not an error.
    expect(valuesOf(metrics, METRICS.dependencyLatency, { Dependency: 'DynamoDB' }).length).toBeGreaterThanOrEqual(1);
    expect(sumOf(metrics, METRICS.dependencyErrors)).toBe(0);
  });

  it('a declined payment: Settlements with status DECLINED, and a 402 is a client error', async () => {
    const declined = { ...SETTLEMENT_EXAMPLE, orderId: 'o_declined', paymentMethod: { type: 'card', token: 'tok_decline' } };
    const { result, metrics } = await measured('settlement', () => settle(declined, `${key}-declined`));
    expect(result.status).toBe(402);
    expectRequest(metrics, SETTLEMENTS, 'client error');
    expect(sumOf(metrics, METRICS.settlements, { Status: 'DECLINED' })).toBe(1);
  });

  it('a request without Idempotency-Key: a client error, no settlement, no AWS call', async () => {
    const { result, metrics } = await measured('settlement', () => settle(SETTLEMENT_EXAMPLE, undefined));
    expect(result.status).toBe(400);
    expectRequest(metrics, SETTLEMENTS, 'client error');
    expect(valuesOf(metrics, METRICS.settlements)).toEqual([]);
    expect(valuesOf(metrics, METRICS.dependencyLatency)).toEqual([]);
  });

  it('KMS refusing connections: a server error, and the failed KMS calls', async () => {
    await stack.kmsProxy.set('refuse');
    const { result, metrics } = await measured('settlement', () => settle({ ...SETTLEMENT_EXAMPLE, orderId: 'o_kms_down' }, `${key}-kms-down`));
    expect(result.status).toBe(503);
    expectRequest(metrics, SETTLEMENTS, 'server error');
    expect(sumOf(metrics, METRICS.dependencyErrors, { Dependency: 'KMS' })).toBeGreaterThanOrEqual(1);
    expect(sumOf(metrics, METRICS.dependencyErrors, { Dependency: 'DynamoDB' })).toBe(0);
    expect(valuesOf(metrics, METRICS.settlements)).toEqual([]);
  });

  // A hang is not a refusal: the call never fails by itself, the request's deadline ends it.
  it('KMS accepting and never answering: a server error within the deadline, and the KMS call measured as failed', async () => {
    await stack.kmsProxy.set('hang');
    const { result, metrics } = await measured('settlement', () => settle({ ...SETTLEMENT_EXAMPLE, orderId: 'o_kms_hangs' }, `${key}-kms-hangs`));
    expect(result.status).toBe(503);
    expectRequest(metrics, SETTLEMENTS, 'server error');
    expect(sumOf(metrics, METRICS.dependencyErrors, { Dependency: 'KMS' })).toBeGreaterThanOrEqual(1);
    expect(valuesOf(metrics, METRICS.dependencyLatency, { Dependency: 'KMS' }).length).toBeGreaterThanOrEqual(1);
    expect(sumOf(metrics, METRICS.dependencyThrottles, { Dependency: 'KMS' })).toBe(0);
    expect(valuesOf(metrics, METRICS.settlements)).toEqual([]);
  });
});

describe('verification', () => {
  const VERIFICATIONS = 'POST /v1/verifications';
  const expected = { merchantId: 'm_123', orderId: 'o_verify', amount: SETTLEMENT_EXAMPLE.amount };
  let token: string;
  beforeAll(async () => {
    const { result } = await capturing(() => settle({ ...SETTLEMENT_EXAMPLE, orderId: 'o_verify' }, `verify-${Date.now()}`));
    token = result.body.paymentResponse;
  });
  const verify = (body: unknown) =>
    fetch(`${stack.url}/v1/verifications`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

  it('a valid payment response: VerificationResults with reason OK, and no AWS call (keys deployed)', async () => {
    const { result, metrics } = await measured('verification', () => verify({ paymentResponse: token, expected }));
    expect(result.status).toBe(200);
    expectRequest(metrics, VERIFICATIONS, 'ok');
    expect(sumOf(metrics, METRICS.verificationResults, { Reason: 'OK' })).toBe(1);
    expect(valuesOf(metrics, METRICS.dependencyLatency)).toEqual([]);
  });

  it('a forged signature: VerificationResults with reason BAD_SIGNATURE', async () => {
    const [header, payload, signature] = token.split('.') as [string, string, string];
    const forged = `${header}.${payload}.${signature.startsWith('A') ? 'B' : 'A'}${signature.slice(1)}`;
    const { result, metrics } = await measured('verification', () => verify({ paymentResponse: forged, expected }));
    expect(((await result.json()) as { reason: string }).reason).toBe('BAD_SIGNATURE');
    expectRequest(metrics, VERIFICATIONS, 'ok');
    expect(sumOf(metrics, METRICS.verificationResults, { Reason: 'BAD_SIGNATURE' })).toBe(1);
    expect(valuesOf(metrics, METRICS.verificationResults, { Reason: 'OK' })).toEqual([]);
  });

  it('a nonce: the verdict is signed by KMS, one measured call', async () => {
    const { metrics } = await measured('verification', () => verify({ paymentResponse: token, expected, nonce: 'n0nce-emf-metrics-1' }));
    expect(sumOf(metrics, METRICS.verificationResults, { Reason: 'OK' })).toBe(1);
    expect(valuesOf(metrics, METRICS.dependencyLatency, { Dependency: 'KMS' })).toHaveLength(1);
    expect(sumOf(metrics, METRICS.dependencyErrors, { Dependency: 'KMS' })).toBe(0);
  });

  it('a body that is not JSON: a client error and no verification result', async () => {
    const { result, metrics } = await measured('verification', () =>
      fetch(`${stack.url}/v1/verifications`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{' }),
    );
    expect(result.status).toBe(400);
    expectRequest(metrics, VERIFICATIONS, 'client error');
    expect(valuesOf(metrics, METRICS.verificationResults)).toEqual([]);
  });
});

describe('config', () => {
  const CONFIG = 'GET /v1/config';
  const getConfig = () => fetch(`${stack.url}/v1/config?country=DE`);

  it('a first lookup misses the cache and reads DynamoDB; the next is a hit and reads nothing', async () => {
    const first = await measured('config', getConfig);
    expect(first.result.status).toBe(200);
    expectRequest(first.metrics, CONFIG, 'ok');
    expect(sumOf(first.metrics, METRICS.configCacheMisses)).toBe(1);
    expect(valuesOf(first.metrics, METRICS.configCacheHits)).toEqual([]);
    expect(valuesOf(first.metrics, METRICS.dependencyLatency, { Dependency: 'DynamoDB' }).length).toBeGreaterThanOrEqual(1);

    const second = await measured('config', getConfig);
    expect(sumOf(second.metrics, METRICS.configCacheHits)).toBe(1);
    expect(valuesOf(second.metrics, METRICS.configCacheMisses)).toEqual([]);
    expect(valuesOf(second.metrics, METRICS.dependencyLatency)).toEqual([]);
    expect(valuesOf(second.metrics, METRICS.staleConfigServed)).toEqual([]);
  });

  it('DynamoDB refusing once the cache expired: the failed read, and the last known configuration served stale', async () => {
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    await stack.dynamodbProxy.set('refuse');
    const failed = await measured('config', getConfig);
    expect(failed.result.headers.get('x-config-stale')).toBe('true');
    expectRequest(failed.metrics, CONFIG, 'ok');
    expect(sumOf(failed.metrics, METRICS.configCacheMisses)).toBe(1);
    expect(sumOf(failed.metrics, METRICS.staleConfigServed)).toBe(1);
    expect(sumOf(failed.metrics, METRICS.dependencyErrors, { Dependency: 'DynamoDB' })).toBeGreaterThanOrEqual(1);

    // While the source is left alone after the failure, memory answers: a hit, still stale.
    const resting = await measured('config', getConfig);
    expect(sumOf(resting.metrics, METRICS.configCacheHits)).toBe(1);
    expect(sumOf(resting.metrics, METRICS.staleConfigServed)).toBe(1);
    expect(valuesOf(resting.metrics, METRICS.dependencyLatency)).toEqual([]);
  });
});

describe('jwks', () => {
  it.each([PAYMENT_JWKS_PATH, VERDICT_JWKS_PATH])('GET %s: the request under its own route, no KMS call (keys deployed)', async (path) => {
    const { result, metrics } = await measured('jwks', () => fetch(`${stack.url}${path}`));
    expect(result.status).toBe(200);
    expectRequest(metrics, `GET ${path}`, 'ok');
    expect(valuesOf(metrics, METRICS.dependencyLatency)).toEqual([]);
  });
});
