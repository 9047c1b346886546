import { KMSClient } from '@aws-sdk/client-kms';
import { awsClientOptions } from '../../shared/adapters/aws/client-options.js';
import { KmsPublicKeySet } from '../../shared/adapters/kms-public-keys.js';
import { httpHandler, jsonResponse } from '../../shared/http/http-handler.js';
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
  const keySets: Record<string, KmsPublicKeySet> = {
    [routeKeyOf({ method: 'GET', path: PAYMENT_JWKS_PATH })]: new KmsPublicKeySet(clients.kms, env.TRUSTED_PAYMENT_KEY_ARNS),
    [routeKeyOf({ method: 'GET', path: VERDICT_JWKS_PATH })]: new KmsPublicKeySet(clients.kms, [env.VERDICT_SIGNING_KEY_ARN]),
  };

  return httpHandler(async (event) => {
    const keySet = keySets[event.routeKey];
    if (!keySet) throw new Error(`jwks function invoked for unexpected route ${event.routeKey}`);
    const keys = await keySet.keys();
    return jsonResponse(200, { keys }, { 'content-type': 'application/jwk-set+json', 'cache-control': CACHE_CONTROL });
  });
}
