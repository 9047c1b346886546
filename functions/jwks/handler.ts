import { KMSClient } from '@aws-sdk/client-kms';
import { z } from 'zod';
import { awsCallTimeoutsEnvSchema, awsClientOptions } from '../../shared/adapters/aws/client-options.js';
import { KmsPublicKeySet } from '../../shared/adapters/kms-public-keys.js';
import { kmsKeyArnListSchema, kmsKeyArnSchema, parseEnv } from '../../shared/config/env.js';
import { httpHandler, jsonResponse } from '../../shared/http/http-handler.js';

const env = parseEnv(
  z.object({
    ...awsCallTimeoutsEnvSchema.shape,
    TRUSTED_PAYMENT_KEY_ARNS: kmsKeyArnListSchema,
    VERDICT_SIGNING_KEY_ARN: kmsKeyArnSchema,
  }),
);

const kms = new KMSClient(awsClientOptions(env));
/**
 * Two documents so that no key is trusted for two purposes: payment responses are checked
 * against the first, verification verdicts against the second.
 */
const keySets: Record<string, KmsPublicKeySet> = {
  'GET /.well-known/jwks.json': new KmsPublicKeySet(kms, env.TRUSTED_PAYMENT_KEY_ARNS),
  'GET /.well-known/verdict-jwks.json': new KmsPublicKeySet(kms, [env.VERDICT_SIGNING_KEY_ARN]),
};

// Public keys change only on rotation, and the old key stays trusted through it: 5 minutes is safe.
const CACHE_CONTROL = 'public, max-age=300, stale-while-revalidate=60';

/** GET /.well-known/jwks.json and /.well-known/verdict-jwks.json. */
export const handler = httpHandler(async (event) => {
  const keySet = keySets[event.routeKey];
  if (!keySet) throw new Error(`jwks function invoked for unexpected route ${event.routeKey}`);
  const keys = await keySet.keys();
  return jsonResponse(200, { keys }, { 'content-type': 'application/jwk-set+json', 'cache-control': CACHE_CONTROL });
});
