/**
 * The one route table. The CDK stack builds API Gateway routes from it and the local stack
 * serves it, so the two cannot drift. Paths are exact (no path parameters yet).
 */
export type FunctionId = 'settlement' | 'jwks' | 'verification' | 'config';

export type RouteAccess =
  /** Never open on AWS: IAM (SigV4) by default, or a JWT authorizer when configured. */
  | 'authenticated'
  /** Anyone may call it; it is throttled. */
  | 'public';

export interface Route {
  method: 'GET' | 'POST';
  path: string;
  functionId: FunctionId;
  access: RouteAccess;
}

/** The key sets the jwks function serves: payment response, verdict and configuration keys, never mixed. */
export const PAYMENT_JWKS_PATH = '/.well-known/jwks.json';
export const VERDICT_JWKS_PATH = '/.well-known/verdict-jwks.json';
export const CONFIG_JWKS_PATH = '/.well-known/config-jwks.json';
/** The API contract (openapi.json at the repository root), served by the jwks function with the other public documents. */
export const OPENAPI_PATH = '/openapi.json';

export const ROUTES: readonly Route[] = [
  { method: 'POST', path: '/v1/settlements', functionId: 'settlement', access: 'authenticated' },
  { method: 'GET', path: PAYMENT_JWKS_PATH, functionId: 'jwks', access: 'public' },
  { method: 'GET', path: VERDICT_JWKS_PATH, functionId: 'jwks', access: 'public' },
  { method: 'POST', path: '/v1/verifications', functionId: 'verification', access: 'public' },
  { method: 'GET', path: '/v1/config', functionId: 'config', access: 'public' },
  { method: 'GET', path: OPENAPI_PATH, functionId: 'jwks', access: 'public' },
  { method: 'GET', path: CONFIG_JWKS_PATH, functionId: 'jwks', access: 'public' },
];

/** API Gateway's route key, as events carry it: `GET /v1/config`. */
export function routeKeyOf(route: Pick<Route, 'method' | 'path'>): string {
  return `${route.method} ${route.path}`;
}

/** Where each function's handler lives, relative to the repository root; it exports `handler`. */
export function handlerEntryOf(functionId: FunctionId): string {
  return `functions/${functionId}/handler.ts`;
}

export const FUNCTION_IDS: readonly FunctionId[] = [...new Set(ROUTES.map((route) => route.functionId))];

/** CORS for browser apps, applied by API Gateway on AWS and by the local API server. */
export const CORS_POLICY = {
  allowOrigins: ['*'],
  allowMethods: ['GET', 'POST', 'OPTIONS'],
  allowHeaders: ['content-type', 'idempotency-key', 'if-none-match', 'authorization', 'x-amz-date', 'x-amz-security-token'],
  exposeHeaders: ['etag', 'idempotent-replayed', 'x-config-stale', 'cache-control', 'retry-after', 'x-request-id'],
  maxAgeSeconds: 600,
} as const;
