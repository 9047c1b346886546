import { onFirstUse } from '../../shared/adapters/aws/on-first-use.js';
import type { Logger } from '@aws-lambda-powertools/logger';
import { DelegatedKeySet } from '../../shared/adapters/delegated-key-set.js';
import { KmsKeySet } from '../../shared/adapters/kms-key-set.js';
import { PAYMENT_RESPONSE_TYP } from '../../shared/domain/settlement/payment-response.js';
import { verificationRequestSchema } from '../../shared/domain/verification/request.js';
import { jsonHttpHandler, jsonResponse } from '../../shared/http/http-handler.js';
import { parseInput } from '../../shared/http/parse.js';
import { functionObservability } from '../../shared/observability/function-observability.js';
import { METRICS } from '../../shared/observability/metric-names.js';
import { verifyPayment, type VerifyPaymentDeps } from '../../shared/use-cases/verify-payment.js';
import type { VerificationAwsAdapters, VerificationClients } from './aws-adapters.js';
import type { VerificationEnv } from './env.js';

/**
 * The root keys and the keys they delegated payment-response signing to, read from the registry
 * (with the SDK, loaded on the first token of a key that is not a root key's).
 */
function delegatedKeys(env: VerificationEnv, rootKeys: KmsKeySet, aws: () => Promise<VerificationAwsAdapters>, logger: Logger): DelegatedKeySet {
  const registry = async () => (await aws()).delegations!;
  return new DelegatedKeySet(
    rootKeys,
    { get: async (scope, kid) => (await registry()).get(scope, kid), revokedKids: async (scope) => (await registry()).revokedKids(scope) },
    {
      scope: PAYMENT_RESPONSE_TYP,
      issuer: env.PAYMENT_ISSUER,
      revocationCheckSeconds: env.DELEGATION_REVOCATION_CHECK_SECONDS,
      onProblem: (message, details) => logger.error(message, details),
    },
  );
}

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
  const aws = onFirstUse(async () => (await import('./aws-adapters.js')).verificationAwsAdapters(env, metrics, logger, clients));
  const rootKeys = new KmsKeySet(async (keyArn) => (await aws()).fetchPublicJwk(keyArn), env.TRUSTED_PAYMENT_KEY_ARNS, {
    deployedKeys: env.TRUSTED_PAYMENT_PUBLIC_KEYS,
    onLoadFailure: (kid, error) => logger.error('could not load a trusted payment key', { kid, error: error as Error }),
  });
  const deps: VerifyPaymentDeps = {
    keys: env.DELEGATION_TABLE_NAME === undefined ? rootKeys : delegatedKeys(env, rootKeys, aws, logger),
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
