import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import lambdaLocal from 'lambda-local';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { LOCAL_ENDPOINT_VARIABLES } from '../../infra/constructs/api-function.js';
import { REPOSITORY_ROOT } from '../../local/local-stack.js';
import { CONTAINER_HOST, samEnvFile, type SamEnvFile } from '../../local/sam-env.js';
import { FUNCTION_IDS, handlerEntryOf, type FunctionId } from '../../shared/routes.js';
import { environmentOf, SYNTH_TIMEOUT_MS, synthesize, type SynthesizedApp } from '../infra/support/synth.js';
import { startTestStack, type TestStack } from '../support/test-stack.js';

// SAM itself cannot run here (no Docker). What decides whether `sam local invoke --env-vars`
// reaches the local stack is on our side: SAM overrides only the variables the template
// declares, so every variable of the file must be declared, and every declared variable that
// points at AWS must be overridden. The invocation below plays SAM's rule with lambda-local.

let stack: TestStack;
let samTemplate: SynthesizedApp;
let file: SamEnvFile;
beforeAll(async () => {
  stack = await startTestStack();
  samTemplate = synthesize({ samLocal: true });
  file = samEnvFile(stack.functionEnvironment, { dynamodb: stack.dynamodbUrl, kms: stack.kmsUrl });
  lambdaLocal.setLogger({ log: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined, transports: [] });
}, SYNTH_TIMEOUT_MS);
afterAll(async () => stack?.stop());

const declaredBy = (app: SynthesizedApp, id: FunctionId) => environmentOf(app, app.stateless.functions[id]);

/** What SAM gives the function: the template's variables, each replaced by the file's value if it has one. */
function samEnvironment(id: FunctionId): Record<string, unknown> {
  const declared = declaredBy(samTemplate, id);
  return Object.fromEntries(Object.entries(declared).map(([name, value]) => [name, file.Parameters[name] ?? value]));
}

describe('sam local invoke against the local stack', () => {
  it('with -c samLocal=true every function declares the SDK endpoint variables, empty; without it none does', () => {
    const plain = synthesize({});
    for (const id of FUNCTION_IDS) {
      for (const name of LOCAL_ENDPOINT_VARIABLES) {
        expect(declaredBy(samTemplate, id)[name], `${id} ${name}`).toBe('');
        expect(declaredBy(plain, id), `${id} ${name}`).not.toHaveProperty(name);
      }
    }
  });

  it('the env-vars file names only variables some function declares, so SAM applies all of them', () => {
    const declared = new Set(FUNCTION_IDS.flatMap((id) => Object.keys(declaredBy(samTemplate, id))));
    expect(Object.keys(file.Parameters).filter((name) => !declared.has(name))).toEqual([]);
  });

  it('leaves no function a value that points at AWS: every reference of the template is overridden', () => {
    for (const id of FUNCTION_IDS) {
      const unresolved = Object.entries(samEnvironment(id)).filter(([, value]) => typeof value !== 'string' || value.includes('.Arn') || /^[A-Z][A-Za-z0-9]+[A-F0-9]{8}$/.test(value));
      expect(unresolved, id).toEqual([]);
      for (const name of LOCAL_ENDPOINT_VARIABLES) expect(samEnvironment(id)[name], `${id} ${name}`).toContain(CONTAINER_HOST);
    }
  });

  it.each([
    ['settlement', 'settlement.json', 201],
    ['verification', 'verification.json', 200],
    ['config', 'config.json', 200],
    ['jwks', 'jwks.json', 200],
  ] as const)('%s answers %s with the environment SAM would give it', async (id, eventFile, status) => {
    // No container here: the host SAM's container would use is this machine's loopback.
    const environment = Object.fromEntries(
      Object.entries(samEnvironment(id)).map(([name, value]) => [name, String(value).replace(CONTAINER_HOST, '127.0.0.1')]),
    );
    const kept = { ...process.env };
    for (const name of Object.keys(stack.functionEnvironment)) delete process.env[name];
    Object.assign(process.env, environment);
    try {
      vi.resetModules();
      const module = await import(pathToFileURL(join(REPOSITORY_ROOT, handlerEntryOf(id))).href);
      const event = JSON.parse(readFileSync(join(REPOSITORY_ROOT, 'events', eventFile), 'utf8'));
      const result = (await lambdaLocal.execute({ event, lambdaFunc: module, lambdaHandler: 'handler', timeoutMs: 10_000, verboseLevel: 0 })) as {
        statusCode: number;
      };
      expect(result.statusCode).toBe(status);
    } finally {
      process.env = kept;
    }
  });
});
