import type { DelegationScope } from '../../shared/domain/delegation/delegation.js';
import { PAYMENT_RESPONSE_TYP } from '../../shared/domain/settlement/payment-response.js';
import { VERIFICATION_RESULT_TYP } from '../../shared/domain/verification/result.js';
import { PAYMENT_JWKS_PATH, VERDICT_JWKS_PATH } from '../../shared/routes.js';

/**
 * The scopes as operators name them (`--scope payment|verdict`), each with the token kind its
 * delegations sign and the JWKS that publishes its root keys, against which a delegation is checked.
 */
export const SCOPES = {
  payment: { scope: PAYMENT_RESPONSE_TYP, jwksPath: PAYMENT_JWKS_PATH },
  verdict: { scope: VERIFICATION_RESULT_TYP, jwksPath: VERDICT_JWKS_PATH },
} as const satisfies Record<string, { scope: DelegationScope; jwksPath: string }>;

export type ScopeName = keyof typeof SCOPES;

export function scopeNameOf(scope: DelegationScope): ScopeName {
  return scope === SCOPES.payment.scope ? 'payment' : 'verdict';
}
