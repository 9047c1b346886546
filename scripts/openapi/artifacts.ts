import { readFile } from 'node:fs/promises';
import openapiTS, { type OpenAPI3 } from 'openapi-typescript';
import { buildOpenApiDocument } from './document.js';

/** The committed files `npm run openapi` writes, relative to the repository root. */
export const OPENAPI_FILE = 'openapi.json';
export const OPENAPI_TYPES_FILE = 'test/openapi/openapi-types.ts';

/**
 * The document and the TypeScript types openapi-typescript reads from it (the SDK's types are
 * checked against those, in test/openapi/sdk-types.test.ts), as they must be committed.
 */
export async function renderArtifacts(): Promise<Array<{ path: string; text: string }>> {
  const document = buildOpenApiDocument();
  const types = await openapiTS(structuredClone(document) as unknown as OpenAPI3);
  return [
    { path: OPENAPI_FILE, text: `${JSON.stringify(document, null, 2)}\n` },
    { path: OPENAPI_TYPES_FILE, text: `// Generated from ${OPENAPI_FILE} by \`npm run openapi\`: do not edit.\n${types}` },
  ];
}

/** The committed files under `root` (a directory URL) that differ from what the code generates now, or are missing. */
export async function staleArtifacts(root: URL): Promise<string[]> {
  const stale: string[] = [];
  for (const { path, text } of await renderArtifacts()) {
    const committed = await readFile(new URL(path, root), 'utf8').catch(() => undefined);
    if (committed !== text) stale.push(path);
  }
  return stale;
}
