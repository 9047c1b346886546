import { KMSClient } from '@aws-sdk/client-kms';
import { awsClientOptions } from '../../shared/adapters/aws/client-options.js';
import { KmsKeySet } from '../../shared/adapters/kms-key-set.js';
import { httpHandler, jsonResponse } from '../../shared/http/http-handler.js';
import { logger } from '../../shared/observability/logger.js';
import { PAYMENT_JWKS_PATH, routeKeyOf, VERDICT_JWKS_PATH } from '../../shared/routes.js';
import type { JwksEnv } from './env.js';

// Public keys change only on rotation, and the old key stays trusted through it: 5 minutes is safe.
const CACHE_CONTROL = 'public, max-age=300, stale-while-revalidate=60';

/** The AWS clients the function uses; tests hand in their own, pointed at an emulator. */
export function jwksClients(env: JwksEnv) {
  return { kms: new KMSClient(awsClientOptions(env)) };
}

/**
 * GET /.well-known/jwks.json and /.well-known/verdict-jwks.json: two documents so that no key is
 * trusted for two purposes (payment responses against the first, verdicts against the second).
 */
export function createJwksHandler(env: JwksEnv, clients = jwksClients(env)) {
  const options = { onLoadFailure: (kid: string, error: unknown) => logger.error('could not load a public key', { kid, error: error as Error }) };
  const keySets: Record<string, KmsKeySet> = {
    [routeKeyOf({ method: 'GET', path: PAYMENT_JWKS_PATH })]: new KmsKeySet(clients.kms, env.TRUSTED_PAYMENT_KEY_ARNS, options),
    [routeKeyOf({ method: 'GET', path: VERDICT_JWKS_PATH })]: new KmsKeySet(clients.kms, [env.VERDICT_SIGNING_KEY_ARN], options),
  };

  return httpHandler(async (event) => {
    const keySet = keySets[event.routeKey];
    if (!keySet) throw new Error(`jwks function invoked for unexpected route ${event.routeKey}`);
    const keys = await keySet.jwks();
    return jsonResponse(200, { keys }, { 'content-type': 'application/jwk-set+json', 'cache-control': CACHE_CONTROL });
  });
}
