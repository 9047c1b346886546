import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import lambdaLocal from 'lambda-local';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPOSITORY_ROOT } from '../local/local-stack.js';
import { handlerEntryOf, ROUTES } from '../shared/routes.js';
import { contractViolationsOf } from './support/openapi-contract.js';
import { startTestStack, type TestStack } from './support/test-stack.js';

// The events users pass to `sam local invoke`; here lambda-local plays the Lambda runtime.
const EXPECTED_STATUS: Record<string, number> = {
  'settlement.json': 201,
  'settlement-declined.json': 402,
  'jwks.json': 200,
  'verdict-jwks.json': 200,
  'config-jwks.json': 200,
  'verification.json': 200,
  'config.json': 200,
  'openapi.json': 200,
};

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack();
  lambdaLocal.setLogger({ log: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined, transports: [] });
});
afterAll(async () => stack?.stop());

describe('sample events in events/', () => {
  const files = readdirSync(join(REPOSITORY_ROOT, 'events')).filter((file) => file.endsWith('.json'));

  it('cover every route', () => {
    const routeKeys = files.map((file) => JSON.parse(readFileSync(join(REPOSITORY_ROOT, 'events', file), 'utf8')).routeKey);
    for (const route of ROUTES) expect(routeKeys).toContain(`${route.method} ${route.path}`);
    expect(Object.keys(EXPECTED_STATUS).sort()).toEqual([...files].sort());
  });

  it.each(files)('%s invokes its handler and gets the documented status, in an answer that keeps openapi.json', async (file) => {
    const event = JSON.parse(readFileSync(join(REPOSITORY_ROOT, 'events', file), 'utf8'));
    const route = ROUTES.find((r) => `${r.method} ${r.path}` === event.routeKey)!;
    const module = await import(pathToFileURL(join(REPOSITORY_ROOT, handlerEntryOf(route.functionId))).href);
    const result = (await lambdaLocal.execute({ event, lambdaFunc: module, lambdaHandler: 'handler', timeoutMs: 10_000, verboseLevel: 0 })) as {
      statusCode: number;
      headers?: Record<string, string>;
      body?: string;
    };
    expect(result.statusCode).toBe(EXPECTED_STATUS[file]);
    expect(contractViolationsOf(route, result)).toEqual([]);
  });
});
