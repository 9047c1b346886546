import document from '../../openapi.json' with { type: 'json' };
import { etagOf, ifNoneMatchMatches } from '../../shared/http/config/config-response.js';
import type { HttpResult } from '../../shared/http/types.js';

/**
 * GET /openapi.json: the API contract, as committed at the repository root (`npm run openapi`).
 * Served with its registered media type (the OpenAPI Initiative's, which names the version);
 * browsers and tools read it as JSON, like any `+json` type. The document changes only with a
 * deployment: 5 minutes of caching, then a revalidation by ETag that costs no body.
 * The jwks handler imports this module on the first request for it, so the document (tens of
 * KiB) is no part of the key sets' cold start.
 */
const CONTENT_TYPE = 'application/vnd.oai.openapi+json;version=3.1';
const CACHE_CONTROL = 'public, max-age=300';

const body = JSON.stringify(document);
const etag = etagOf(body);

export function openApiResponse(ifNoneMatch: string | undefined): HttpResult {
  const headers = { etag, 'cache-control': CACHE_CONTROL };
  if (ifNoneMatchMatches(ifNoneMatch, etag)) return { statusCode: 304, headers };
  return { statusCode: 200, headers: { 'content-type': CONTENT_TYPE, ...headers }, body };
}
