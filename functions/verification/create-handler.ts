import { onFirstUse } from '../../shared/adapters/aws/on-first-use.js';
import { KmsKeySet } from '../../shared/adapters/kms-key-set.js';
import { verificationRequestSchema } from '../../shared/domain/verification/request.js';
import { jsonHttpHandler, jsonResponse } from '../../shared/http/http-handler.js';
import { parseInput } from '../../shared/http/parse.js';
import { functionObservability } from '../../shared/observability/function-observability.js';
import { METRICS } from '../../shared/observability/metric-names.js';
import { verifyPayment, type VerifyPaymentDeps } from '../../shared/use-cases/verify-payment.js';
import type { VerificationClients } from './aws-adapters.js';
import type { VerificationEnv } from './env.js';

/** A verification result is about one token at one moment: nobody may cache it. */
const NO_STORE = { 'cache-control': 'no-store' } as const;

/**
 * POST /v1/verifications: whatever the token, a verification result (200). Only a body that
 * is not a verification request is a 400; a failure of ours under checkLedger or a nonce is a 503.
 *
 * The trusted keys the deployment handed in are ready at cold start; the AWS adapters (and the
 * SDK) load on the first request that needs one. `clients` are for tests, pointed at emulators.
 */
export function createVerificationHandler(env: VerificationEnv, clients?: VerificationClients) {
  const observability = functionObservability('verification', env);
  const { logger, metrics, keys } = observability;
  const aws = onFirstUse(async () => (await import('./aws-adapters.js')).verificationAwsAdapters(env, metrics, clients));
  const deps: VerifyPaymentDeps = {
    keys: new KmsKeySet(async (keyArn) => (await aws()).fetchPublicJwk(keyArn), env.TRUSTED_PAYMENT_KEY_ARNS, {
      deployedKeys: env.TRUSTED_PAYMENT_PUBLIC_KEYS,
      onLoadFailure: (kid, error) => logger.error('could not load a trusted payment key', { kid, error: error as Error }),
    }),
    ledger: { get: async (paymentId) => (await aws()).ledger.get(paymentId) },
    verdictSigner: { sign: async (typ, claims) => (await aws()).verdictSigner.sign(typ, claims) },
    issuer: env.PAYMENT_ISSUER,
    now: () => new Date(),
  };

  return jsonHttpHandler(observability, async (event) => {
    const request = parseInput(verificationRequestSchema, event.jsonBody, 'verification request');
    const response = await verifyPayment(deps, request);
    metrics.count(METRICS.verificationResults, response.reason);
    // Ids only from a verified token: an unverified one's claims are anybody's words.
    const { payment } = response;
    keys.append(payment ? { reason: response.reason, paymentId: payment.paymentId, merchantId: payment.merchantId } : { reason: response.reason });
    return jsonResponse(200, response, NO_STORE);
  });
}
