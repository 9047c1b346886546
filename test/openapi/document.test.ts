import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Validator } from '@seriousme/openapi-schema-validator';
import { describe, expect, it } from 'vitest';
import document from '../../openapi.json' with { type: 'json' };
import { REPOSITORY_ROOT } from '../../local/local-stack.js';
import { OPENAPI_FILE, OPENAPI_TYPES_FILE, staleArtifacts } from '../../scripts/openapi/artifacts.js';
import { ROUTES } from '../../shared/routes.js';

type Operation = { security: unknown[]; responses: Record<string, { content?: Record<string, { schema: unknown }> }> };
const operations = document.paths as unknown as Record<string, Record<string, Operation>>;

describe('openapi.json', () => {
  it('is a valid OpenAPI 3.1 document, by an independent validator', async () => {
    const validator = new Validator();
    const result = await validator.validate(structuredClone(document));
    expect(result.errors).toBeUndefined();
    expect(result.valid).toBe(true);
    expect(validator.version).toBe('3.1');
  });

  it('would be refused by that validator if it were broken', async () => {
    const { info: _info, ...withoutInfo } = structuredClone(document);
    expect((await new Validator().validate(withoutInfo)).valid).toBe(false);
    const broken = structuredClone(document) as unknown as { paths: Record<string, Record<string, { responses: unknown }>> };
    broken.paths['/v1/config']!.get!.responses = { 200: { content: {} } }; // a response without its description
    expect((await new Validator().validate(broken)).valid).toBe(false);
  });

  it('has exactly the routes of shared/routes.ts, and their access', () => {
    const documented = Object.entries(operations).flatMap(([path, methods]) => Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`));
    expect(documented.sort()).toEqual(ROUTES.map((route) => `${route.method} ${route.path}`).sort());
    for (const route of ROUTES) {
      const { security } = operations[route.path]![route.method.toLowerCase()]!;
      expect(security, `${route.method} ${route.path}`).toEqual(route.access === 'public' ? [] : [{ sigv4: [] }, { jwt: [] }]);
    }
  });

  it("documents every problem type of the README's table, with its status, and no other", () => {
    const readme = readFileSync(join(REPOSITORY_ROOT, 'README.md'), 'utf8');
    const listed = [...readme.matchAll(/^\| `(\/problems\/[a-z-]+)` \| (\d{3}) \|/gm)].map(([, type, status]) => `${status} ${type}`);
    const documented = new Set<string>();
    for (const methods of Object.values(operations)) {
      for (const operation of Object.values(methods)) {
        for (const [status, response] of Object.entries(operation.responses)) {
          const schema = response.content?.['application/problem+json']?.schema as { allOf: [unknown, { properties: { type: { enum: string[] } } }] } | undefined;
          for (const type of schema?.allOf[1].properties.type.enum ?? []) documented.add(`${status} ${type}`);
        }
      }
    }
    expect(listed.length).toBeGreaterThan(10);
    expect([...documented].sort()).toEqual([...new Set(listed)].sort());
  });
});

describe('the CI check of the committed contract (npm run check)', () => {
  it('finds nothing stale in this repository', async () => {
    expect(await staleArtifacts(pathToFileURL(`${REPOSITORY_ROOT}/`))).toEqual([]);
  });

  it('names a committed file that differs from what the code generates (the document) or is missing (its types)', async () => {
    const copy = mkdtempSync(join(tmpdir(), 'openapi-check-'));
    try {
      const edited = { ...document, info: { ...document.info, version: '0.0.0-edited' } };
      writeFileSync(join(copy, OPENAPI_FILE), `${JSON.stringify(edited, null, 2)}\n`);
      expect(await staleArtifacts(pathToFileURL(`${copy}/`))).toEqual([OPENAPI_FILE, OPENAPI_TYPES_FILE]);
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
  });
});
