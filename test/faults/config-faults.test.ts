// The config function with DynamoDB refusing or hanging, through a fault proxy. The file's order
// matters: the first tests meet a cold container, which has read nothing yet.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Fault } from '../../local/fault-proxy.js';
import { until } from '../support/until.js';
import { FUNCTION_TIMEOUT_MS, type FaultStack, startFaultStack, timed } from './fault-stack.js';

let stack: FaultStack;
beforeAll(async () => {
  // Every request would read DynamoDB without the container cache: the faults meet every request.
  process.env.CONFIG_CACHE_TTL_SECONDS = '0';
  stack = await startFaultStack();
});
afterEach(async () => stack.dynamodbProxy.set('pass'));
afterAll(async () => stack?.stop());

const getConfig = (country: string, headers: Record<string, string> = {}) =>
  timed(async () => {
    const response = await fetch(`${stack.url}/v1/config?country=${country}`, { headers });
    return { status: response.status, headers: response.headers, body: response.status === 304 ? undefined : ((await response.json()) as Record<string, any>) };
  });

/**
 * The first fresh answer once the backoff of earlier failures has run out: until then the
 * container leaves DynamoDB alone (503 for a country it never read, else stale).
 */
const freshConfig = (country: string) =>
  until(
    async () => {
      const answer = await getConfig(country);
      return answer.result.status === 200 && answer.result.headers.get('x-config-stale') === null ? answer : undefined;
    },
    { what: `a fresh configuration of ${country}` },
  );

describe('a cold container: never another country\'s configuration', () => {
  it.each<Fault>(['hang', 'refuse'])('DynamoDB %s: 503 config-unavailable with Retry-After, in time', async (fault) => {
    await stack.dynamodbProxy.set(fault);
    const { result, ms } = await getConfig('DE');
    expect(ms).toBeLessThan(FUNCTION_TIMEOUT_MS);
    expect(result.status).toBe(503);
    expect(result.body).toMatchObject({ type: '/problems/config-unavailable', status: 503 });
    expect(result.headers.get('retry-after')).toBe('2');
  });
});

describe('a warm container', () => {
  it.each<Fault>(['hang', 'refuse'])('DynamoDB %s: the last good configuration, same ETag, marked stale, in time', async (fault) => {
    // Past the backoff of earlier failures: the container reads again and learns Germany.
    const fresh = await freshConfig('DE');
    expect(fresh.result.status).toBe(200);
    expect(fresh.result.body).toMatchObject({ country: 'DE', config: { currency: 'EUR', locale: 'de-DE' } });

    await stack.dynamodbProxy.set(fault);
    const { result, ms } = await getConfig('DE');
    expect(ms).toBeLessThan(FUNCTION_TIMEOUT_MS);
    expect(result.status).toBe(200);
    expect(result.headers.get('x-config-stale')).toBe('true');
    expect(result.headers.get('etag')).toBe(fresh.result.headers.get('etag'));
    expect(result.body).toEqual(fresh.result.body);
  });

  it('backs off after a failed read: a hang costs one request its timeout, not every request', async () => {
    expect((await freshConfig('DE')).result.status).toBe(200);
    await stack.dynamodbProxy.set('hang');
    const first = await getConfig('DE');
    expect(first.result.headers.get('x-config-stale')).toBe('true');
    const connections = stack.dynamodbProxy.connections();
    for (let i = 0; i < 5; i++) {
      const { result, ms } = await getConfig('DE');
      expect(result.headers.get('x-config-stale')).toBe('true');
      expect(ms).toBeLessThan(200);
    }
    expect(stack.dynamodbProxy.connections()).toBe(connections);
  });

  it('a country this container never read is 503 while DynamoDB is down, even when its groups are known', async () => {
    await stack.dynamodbProxy.set('refuse');
    const { result } = await getConfig('FR');
    expect(result.status).toBe(503);
    expect(result.body).toMatchObject({ type: '/problems/config-unavailable' });
  });
});
