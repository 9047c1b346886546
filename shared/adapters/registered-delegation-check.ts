import type { DelegationScope } from '../domain/delegation/delegation.js';
import { type DelegationCheck, checkDelegation, inspectDelegation } from '../domain/delegation/delegation-rule.js';
import type { TrustedKeys } from '../domain/verification/trusted-keys.js';
import { jwkThumbprint } from './jwk-thumbprint.js';

/** The root key a delegation names could not be loaded: nothing can be decided about it now. */
export class RootKeyUnavailableError extends Error {}

/**
 * Whether a delegation the registry holds for `kid` certifies that key for `scope`: our header
 * rule, a root key of ours (never a delegated one: keys do not delegate further) whose signature
 * verifies, then the claims (delegation-rule.ts). The registry is anybody's words until then.
 */
export async function checkRegisteredDelegation(
  roots: TrustedKeys,
  registered: { kid: string; delegation: string },
  rule: { issuer: string; scope: DelegationScope },
): Promise<DelegationCheck> {
  const inspected = inspectDelegation(registered.delegation);
  if (!inspected.ok) return inspected;
  const root = await roots.keyFor(inspected.jws.kid);
  if (root.status === 'unavailable') throw new RootKeyUnavailableError(`The root key ${inspected.jws.kid} could not be loaded`);
  if (root.status !== 'trusted' || root.delegated) return { ok: false, problem: `its root key ${inspected.jws.kid} is not one of ours` };
  return checkDelegation(inspected.jws, root.key, { ...rule, kid: registered.kid, thumbprintOf: jwkThumbprint });
}
