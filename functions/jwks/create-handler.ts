import { onFirstUse } from '../../shared/adapters/aws/on-first-use.js';
import { KmsKeySet, type PublicKeySource } from '../../shared/adapters/kms-key-set.js';
import { PublishedDelegatedKeys } from '../../shared/adapters/published-delegated-keys.js';
import type { PublicJwk } from '../../shared/adapters/public-jwk.js';
import type { DelegationScope } from '../../shared/domain/delegation/delegation.js';
import { PAYMENT_RESPONSE_TYP } from '../../shared/domain/settlement/payment-response.js';
import { VERIFICATION_RESULT_TYP } from '../../shared/domain/verification/result.js';
import { httpHandler, jsonResponse } from '../../shared/http/http-handler.js';
import { functionObservability } from '../../shared/observability/function-observability.js';
import { CONFIG_JWKS_PATH, OPENAPI_PATH, PAYMENT_JWKS_PATH, routeKeyOf, VERDICT_JWKS_PATH } from '../../shared/routes.js';
import type { JwksClients } from './aws-adapters.js';
import type { JwksEnv } from './env.js';

// Root keys change only on rotation, and the old key stays trusted through it: 5 minutes is safe.
const CACHE_CONTROL = 'public, max-age=300, stale-while-revalidate=60';
// Delegated keys come and go with containers and may be revoked: caches keep them seconds only.
const DELEGATED_CACHE_CONTROL = 'public, max-age=5';

interface KeyDocument {
  keys(): Promise<PublicJwk[]>;
  cacheControl: string;
}

/**
 * GET /.well-known/jwks.json, /.well-known/verdict-jwks.json and /.well-known/config-jwks.json:
 * one document per kind of token, so that no key is trusted for two purposes (payment responses
 * against the first, verdicts against the second, configuration answers against the third).
 * Keys the deployment handed in are served without KMS; the SDK loads only for another one, or
 * for the delegation registry, whose live delegated keys are listed beside the root keys.
 */
export function createJwksHandler(env: JwksEnv, clients?: JwksClients) {
  const observability = functionObservability('jwks', env);
  const { logger } = observability;
  const aws = onFirstUse(async () => (await import('./aws-adapters.js')).jwksAwsAdapters(env, observability.metrics, clients));
  const fromKms: PublicKeySource = async (keyArn) => (await aws()).fetchPublicJwk(keyArn);
  const onLoadFailure = (kid: string, error: unknown) => logger.error('could not load a public key', { kid, error: error as Error });
  const paymentRoots = new KmsKeySet(fromKms, env.TRUSTED_PAYMENT_KEY_ARNS, { deployedKeys: env.TRUSTED_PAYMENT_PUBLIC_KEYS, onLoadFailure });
  const verdictRoots = new KmsKeySet(fromKms, [env.VERDICT_SIGNING_KEY_ARN], {
    deployedKeys: env.VERDICT_PUBLIC_KEY ? [env.VERDICT_PUBLIC_KEY] : [],
    onLoadFailure,
  });
  const configRoots = new KmsKeySet(fromKms, [env.CONFIG_SIGNING_KEY_ARN], {
    deployedKeys: env.CONFIG_PUBLIC_KEY ? [env.CONFIG_PUBLIC_KEY] : [],
    onLoadFailure,
  });
  const documents: Record<string, KeyDocument> = {
    [routeKeyOf({ method: 'GET', path: PAYMENT_JWKS_PATH })]: keyDocument(paymentRoots, PAYMENT_RESPONSE_TYP),
    [routeKeyOf({ method: 'GET', path: VERDICT_JWKS_PATH })]: keyDocument(verdictRoots, VERIFICATION_RESULT_TYP),
    // Configuration answers are signed by the root key itself, never a delegated one.
    [routeKeyOf({ method: 'GET', path: CONFIG_JWKS_PATH })]: { keys: () => configRoots.jwks(), cacheControl: CACHE_CONTROL },
  };

  /** A document's root keys, and in delegated mode the live keys they delegated to. */
  function keyDocument(roots: KmsKeySet, scope: DelegationScope): KeyDocument {
    const table = env.DELEGATION_TABLE_NAME;
    if (env.SIGNING_MODE !== 'delegated' || table === undefined || env.PAYMENT_ISSUER === undefined) return { keys: () => roots.jwks(), cacheControl: CACHE_CONTROL };
    const registry = async () => (await aws()).delegations!;
    const delegated = new PublishedDelegatedKeys(
      roots,
      { live: async (...args) => (await registry()).live(...args), revokedKids: async (...args) => (await registry()).revokedKids(...args) },
      {
        scope,
        issuer: env.PAYMENT_ISSUER,
        refreshSeconds: env.DELEGATION_REVOCATION_CHECK_SECONDS,
        onProblem: (message, details) => logger.error(message, details),
      },
    );
    return { keys: async () => [...(await roots.jwks()), ...(await delegated.jwks())], cacheControl: DELEGATED_CACHE_CONTROL };
  }

  // The API contract is a public document too; it loads on the first request for it.
  const openApi = onFirstUse(async () => (await import('./openapi-document.js')).openApiResponse);
  const openApiRoute = routeKeyOf({ method: 'GET', path: OPENAPI_PATH });

  return httpHandler(observability, async (event) => {
    if (event.routeKey === openApiRoute) return (await openApi())(event.headers?.['if-none-match']);
    const document = documents[event.routeKey];
    if (!document) throw new Error(`jwks function invoked for unexpected route ${event.routeKey}`);
    const keys = await document.keys();
    return jsonResponse(200, { keys }, { 'content-type': 'application/jwk-set+json', 'cache-control': document.cacheControl });
  });
}
