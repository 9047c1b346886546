import { inspectCompactJws, type InspectedJws, parseCanonicalJsonObject } from '../verification/compact-jws.js';
import type { SignatureKey } from '../verification/trusted-keys.js';
import {
  DELEGATION_TYP,
  type DelegatedJwk,
  type DelegationClaims,
  delegationClaimsSchema,
  type DelegationScope,
  type DelegationWindow,
  MAX_DELEGATION_LIFETIME_SECONDS,
} from './delegation.js';

/** A delegation whose root signature, scope and lifetime were checked: its key may be trusted within its window. */
export interface CheckedDelegation {
  kid: string;
  scope: DelegationScope;
  jwk: DelegatedJwk;
  rootKid: string;
  window: DelegationWindow;
}

export type DelegationCheck = { ok: true; delegation: CheckedDelegation } | { ok: false; problem: string };

export interface DelegationRule {
  issuer: string;
  /** The token kind the verifier is checking: a delegation for another kind certifies nothing here. */
  scope: DelegationScope;
  /** The kid the token named: the delegation must be for exactly that key. */
  kid: string;
  /** RFC 7638 thumbprint (hashing is an adapter's business). */
  thumbprintOf: (jwk: DelegatedJwk) => string;
}

/** Step 1, without a key: our header rule for the delegation's own `typ`; its `kid` names the root key. */
export function inspectDelegation(token: string): { ok: true; jws: InspectedJws } | { ok: false; problem: string } {
  const jws = inspectCompactJws(token, DELEGATION_TYP);
  return jws.ok ? { ok: true, jws } : { ok: false, problem: `not a delegation (${jws.reason})` };
}

/**
 * Step 2, with the root key the header named (one of our trusted root keys; the caller looked it
 * up): the root signature, then the claims. A delegation is for one key (`sub`, which must be
 * the thumbprint of `jwk`), one token kind, and at most MAX_DELEGATION_LIFETIME_SECONDS.
 */
export function checkDelegation(jws: InspectedJws, rootKey: SignatureKey, rule: DelegationRule): DelegationCheck {
  if (jws.signature.length !== 64 || !rootKey.verifies(jws.signingInput, jws.signature)) return problem('its root signature does not verify');
  const json = parseCanonicalJsonObject(jws.payload);
  const parsed = json && delegationClaimsSchema.safeParse(json);
  if (!parsed?.success) return problem('its claims are not a delegation');
  const claims: DelegationClaims = parsed.data;
  if (claims.iss !== rule.issuer) return problem('another issuer made it');
  if (claims.scope !== rule.scope) return problem(`it delegates ${claims.scope}, not ${rule.scope}`);
  if (claims.sub !== rule.kid) return problem('it is for another key');
  if (rule.thumbprintOf(claims.jwk) !== claims.sub) return problem('its key is not the one its thumbprint names');
  if (claims.exp <= claims.nbf || claims.exp - claims.nbf > MAX_DELEGATION_LIFETIME_SECONDS) {
    return problem(`its lifetime is not within (0, ${MAX_DELEGATION_LIFETIME_SECONDS}] seconds`);
  }
  return {
    ok: true,
    delegation: { kid: claims.sub, scope: claims.scope, jwk: claims.jwk, rootKid: jws.kid, window: { notBefore: claims.nbf, expires: claims.exp } },
  };
}

function problem(text: string): { ok: false; problem: string } {
  return { ok: false, problem: text };
}
