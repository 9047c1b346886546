// Every answer the tests get through the local API server is checked against openapi.json (the
// stacks of test-stack.ts and fault-stack.ts pass `onAnswer: recordContractViolations`); the
// `system` project's setup file (contract-check.ts) fails the test that received a violation.
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import document from '../../openapi.json' with { type: 'json' };
import { ROUTES, type Route } from '../../shared/routes.js';

/** An answer as the server sends it or a handler returns it (payload format 2.0). */
export interface Answer {
  statusCode: number;
  headers?: Record<string, string | number | boolean | undefined>;
  body?: string | Buffer;
}

interface ResponseObject {
  headers?: Record<string, { required?: boolean; schema: object }>;
  content?: Record<string, { schema: object }>;
}

const DOCUMENT_ID = 'openapi.json';

// Module state would not outlive a test file (fresh-modules.ts re-evaluates our modules), and
// the setup file must read what the stack recorded: both live on globalThis.
const STATE = Symbol.for('signed-pay.test.openapi-contract');
type State = { violations: string[]; checked: number; ajv?: { source: string; ajv: Ajv2020 }; origins?: Set<string> };
const state: State = ((globalThis as Record<symbol, State>)[STATE] ??= { violations: [], checked: 0 });

/** Ajv 2020-12 over the whole document: response schemas are found by JSON pointer, `#/components` refs resolve in it. */
function ajv(): Ajv2020 {
  const source = JSON.stringify(document);
  if (state.ajv?.source === source) return state.ajv.ajv;
  // The document is no schema itself (openapi, info, paths ...): unknown keywords are allowed, every schema in it is still compiled strictly otherwise.
  const instance = new Ajv2020({ allErrors: true, strictSchema: false });
  addFormats(instance);
  instance.addSchema(document, DOCUMENT_ID);
  state.ajv = { source, ajv: instance };
  return instance;
}

const pointer = (...segments: string[]) => segments.map((segment) => segment.replaceAll('~', '~0').replaceAll('/', '~1')).join('/');

function validatorAt(...segments: string[]): ValidateFunction {
  const ref = `${DOCUMENT_ID}#/${pointer(...segments)}`;
  const validate = ajv().getSchema(ref);
  if (!validate) throw new Error(`openapi.json has no schema at ${ref}`);
  return validate;
}

const essence = (mediaType: string) => mediaType.split(';')[0]!.trim().toLowerCase();

/**
 * What is wrong with an answer on a route, by openapi.json: an undocumented status, a missing
 * required header or a header or body its schema refuses, an undocumented content type. Empty
 * when it keeps the contract.
 */
export function contractViolationsOf(route: Pick<Route, 'method' | 'path'>, answer: Answer): string[] {
  const where = `${route.method} ${route.path} ${answer.statusCode}`;
  const method = route.method.toLowerCase();
  const operation = (document.paths as Record<string, Record<string, { responses: Record<string, ResponseObject> }>>)[route.path]?.[method];
  if (!operation) return [`${route.method} ${route.path}: no such operation in openapi.json`];
  const response = operation.responses[String(answer.statusCode)];
  if (!response) return [`${where}: status not documented (documented: ${Object.keys(operation.responses).join(', ')})`];

  const violations: string[] = [];
  const headers = Object.fromEntries(Object.entries(answer.headers ?? {}).map(([name, value]) => [name.toLowerCase(), value === undefined ? undefined : String(value)]));
  for (const [name, header] of Object.entries(response.headers ?? {})) {
    const value = headers[name.toLowerCase()];
    if (value === undefined) {
      if (header.required) violations.push(`${where}: required header ${name} is missing`);
      continue;
    }
    const validate = validatorAt('paths', route.path, method, 'responses', String(answer.statusCode), 'headers', name, 'schema');
    if (!validate(value)) violations.push(`${where}: header ${name}: ${JSON.stringify(value)} ${ajvErrors(validate)}`);
  }

  const body = answer.body === undefined ? '' : answer.body.toString();
  if (!response.content) {
    if (body !== '') violations.push(`${where}: documented without a body, but has one`);
    return violations;
  }
  const contentType = headers['content-type'];
  const mediaType = Object.keys(response.content).find((documented) => contentType !== undefined && essence(documented) === essence(contentType));
  if (!mediaType) {
    violations.push(`${where}: content-type ${contentType ?? '(none)'} is not documented (documented: ${Object.keys(response.content).join(', ')})`);
    return violations;
  }
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    violations.push(`${where}: the ${mediaType} body is not JSON: ${body.slice(0, 100)}`);
    return violations;
  }
  const validate = validatorAt('paths', route.path, method, 'responses', String(answer.statusCode), 'content', mediaType, 'schema');
  if (!validate(json)) violations.push(`${where}: ${mediaType} body ${ajvErrors(validate)}: ${body.slice(0, 300)}`);
  return violations;
}

function ajvErrors(validate: ValidateFunction): string {
  return (validate.errors ?? []).map((error) => `${error.instancePath || '(root)'} ${error.message ?? 'is invalid'}`).join('; ');
}

/** The local stacks' `onAnswer`: checks the answer and keeps what is wrong with it for the running test. */
export function recordContractViolations(route: Pick<Route, 'method' | 'path'>, answer: Answer): void {
  state.checked += 1;
  state.violations.push(...contractViolationsOf(route, answer));
}

/** The violations recorded since the last call, which clears them. */
export function takeContractViolations(): string[] {
  return state.violations.splice(0);
}

/** How many answers have been checked in this worker: proves a stack is wired to the check. */
export function checkedAnswers(): number {
  return state.checked;
}

/**
 * For stacks in another process (`npm start` run as users run it), where no `onAnswer` can be
 * passed: every answer `fetch` gets from `origin` on one of ROUTES is checked like the in-process
 * ones. Returns the unregistering.
 */
export function checkAnswersFrom(origin: string): () => void {
  const origins = (state.origins ??= new Set());
  const key = new URL(origin).origin;
  origins.add(key);
  installFetchCheck();
  return () => origins.delete(key);
}

const FETCH_CHECK = Symbol.for('signed-pay.test.openapi-contract.fetch');

function installFetchCheck(): void {
  const global = globalThis as typeof globalThis & { [FETCH_CHECK]?: true };
  if (global[FETCH_CHECK]) return;
  global[FETCH_CHECK] = true;
  const original = globalThis.fetch;
  globalThis.fetch = async (input, init) => {
    const response = await original(input, init);
    // Read from the arguments, not a Request built from them: its body may be consumed by now.
    const url = new URL(input instanceof Request ? input.url : String(input));
    if (!state.origins?.has(url.origin)) return response;
    const method = (init?.method ?? (input instanceof Request ? input.method : 'GET')).toUpperCase();
    const route = ROUTES.find((candidate) => candidate.method === method && candidate.path === url.pathname);
    if (route) {
      const body = Buffer.from(await response.clone().arrayBuffer());
      recordContractViolations(route, { statusCode: response.status, headers: Object.fromEntries(response.headers), body });
    }
    return response;
  };
}
