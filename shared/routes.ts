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

export const ROUTES: readonly Route[] = [
  { method: 'POST', path: '/v1/settlements', functionId: 'settlement', access: 'authenticated' },
  { method: 'GET', path: '/.well-known/jwks.json', functionId: 'jwks', access: 'public' },
  { method: 'GET', path: '/.well-known/verdict-jwks.json', functionId: 'jwks', access: 'public' },
  { method: 'POST', path: '/v1/verifications', functionId: 'verification', access: 'public' },
  { method: 'GET', path: '/v1/config', functionId: 'config', access: 'public' },
];

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
  exposeHeaders: ['etag', 'idempotent-replayed', 'x-config-stale', 'cache-control', 'retry-after'],
  maxAgeSeconds: 600,
} as const;
