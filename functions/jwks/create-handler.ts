import { onFirstUse } from '../../shared/adapters/aws/on-first-use.js';
import { KmsKeySet, type PublicKeySource } from '../../shared/adapters/kms-key-set.js';
import { httpHandler, jsonResponse } from '../../shared/http/http-handler.js';
import { functionObservability } from '../../shared/observability/function-observability.js';
import { OPENAPI_PATH, PAYMENT_JWKS_PATH, routeKeyOf, VERDICT_JWKS_PATH } from '../../shared/routes.js';
import type { JwksClients } from './aws-adapters.js';
import type { JwksEnv } from './env.js';

// Public keys change only on rotation, and the old key stays trusted through it: 5 minutes is safe.
const CACHE_CONTROL = 'public, max-age=300, stale-while-revalidate=60';

/**
 * GET /.well-known/jwks.json and /.well-known/verdict-jwks.json: two documents so that no key is
 * trusted for two purposes (payment responses against the first, verdicts against the second).
 * Keys the deployment handed in are served without KMS; the SDK loads only for another one.
 */
export function createJwksHandler(env: JwksEnv, clients?: JwksClients) {
  const observability = functionObservability('jwks', env);
  const { logger } = observability;
  const aws = onFirstUse(async () => (await import('./aws-adapters.js')).jwksAwsAdapters(env, observability.metrics, clients));
  const fromKms: PublicKeySource = async (keyArn) => (await aws()).fetchPublicJwk(keyArn);
  const onLoadFailure = (kid: string, error: unknown) => logger.error('could not load a public key', { kid, error: error as Error });
  const keySets: Record<string, KmsKeySet> = {
    [routeKeyOf({ method: 'GET', path: PAYMENT_JWKS_PATH })]: new KmsKeySet(fromKms, env.TRUSTED_PAYMENT_KEY_ARNS, {
      deployedKeys: env.TRUSTED_PAYMENT_PUBLIC_KEYS,
      onLoadFailure,
    }),
    [routeKeyOf({ method: 'GET', path: VERDICT_JWKS_PATH })]: new KmsKeySet(fromKms, [env.VERDICT_SIGNING_KEY_ARN], {
      deployedKeys: env.VERDICT_PUBLIC_KEY ? [env.VERDICT_PUBLIC_KEY] : [],
      onLoadFailure,
    }),
  };

  // The API contract is a public document too; it loads on the first request for it.
  const openApi = onFirstUse(async () => (await import('./openapi-document.js')).openApiResponse);
  const openApiRoute = routeKeyOf({ method: 'GET', path: OPENAPI_PATH });

  return httpHandler(observability, async (event) => {
    if (event.routeKey === openApiRoute) return (await openApi())(event.headers?.['if-none-match']);
    const keySet = keySets[event.routeKey];
    if (!keySet) throw new Error(`jwks function invoked for unexpected route ${event.routeKey}`);
    const keys = await keySet.jwks();
    return jsonResponse(200, { keys }, { 'content-type': 'application/jwk-set+json', 'cache-control': CACHE_CONTROL });
  });
}
