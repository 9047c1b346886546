import type { DelegationScope } from '../../shared/domain/delegation/delegation.js';
import type { RegisteredDelegation } from '../../shared/domain/delegation/delegation-registry.js';
import { table } from '../config/output.js';
import { SCOPES, scopeNameOf } from './scopes.js';

export type DelegationStatus = 'live' | 'ended' | 'revoked';

/** A delegation as the operator sees it: what the registry holds, and what verifiers make of it now. */
export interface DelegationView {
  kid: string;
  scope: DelegationScope;
  status: DelegationStatus;
  from: string;
  until: string;
  rootKid: string;
  registeredAt: string;
  /** Absent on a revoked delegation only if a revocation was listed and then interrupted before it marked the delegation. */
  revokedAt?: string;
  revocationReason?: string;
}

/**
 * Revoked is what verifiers go by: the revocation list (`revokedKids`) or the delegation's own
 * mark. Only then does its window count, because a revoked key is refused whatever its window.
 */
export function viewOf(delegation: RegisteredDelegation, revokedKids: ReadonlySet<string>, now: Date): DelegationView {
  const revoked = delegation.revokedAt !== undefined || revokedKids.has(delegation.kid);
  const ended = delegation.expires * 1000 <= now.getTime();
  return {
    kid: delegation.kid,
    scope: delegation.scope,
    status: revoked ? 'revoked' : ended ? 'ended' : 'live',
    from: isoOfEpochSeconds(delegation.notBefore),
    until: isoOfEpochSeconds(delegation.expires),
    rootKid: delegation.rootKid,
    registeredAt: delegation.registeredAt,
    ...(delegation.revokedAt ? { revokedAt: delegation.revokedAt } : {}),
    ...(delegation.revocationReason ? { revocationReason: delegation.revocationReason } : {}),
  };
}

export function listText(views: DelegationView[], scope: DelegationScope): string {
  if (views.length === 0) return `No live ${scopeNameOf(scope)} delegation. (Containers make them in delegated signing mode, when they first sign.)`;
  return table([
    ['KID', 'FROM', 'UNTIL', 'ROOT KID', 'REGISTERED', 'REVOKED'],
    ...views.map((view) => [view.kid, short(view.from), short(view.until), view.rootKid, short(view.registeredAt), revocationText(view, short)]),
  ]);
}

export function showText(view: DelegationView, delegation: string): string {
  const facts = table([
    ['  scope', `${scopeNameOf(view.scope)} (${view.scope})`],
    ['  status', view.status],
    ['  from', view.from],
    ['  until', view.until],
    ['  root kid', view.rootKid],
    ['  registered', view.registeredAt],
    ...(view.status === 'revoked' ? [['  revoked', revocationText(view)]] : []),
  ]);
  const audit = `The delegation, a JWS signed by root key ${view.rootKid}: check it against that key in ${SCOPES[scopeNameOf(view.scope)].jwksPath}.`;
  return `Delegation ${view.kid}\n${facts}\n\n${audit}\n${delegation}`;
}

export function revokeText(view: DelegationView, alreadyRevoked: boolean): string {
  const name = `${view.kid}, a ${scopeNameOf(view.scope)} delegation,`;
  if (alreadyRevoked) {
    return (
      `${name} was revoked already, at ${view.revokedAt} ("${view.revocationReason}"). ` +
      'The registry keeps the first revocation: its time and reason stand, yours was not recorded. Its tokens stay refused.'
    );
  }
  const done = `Revoked ${name} at ${view.revokedAt}: ${view.revocationReason}`;
  if (Date.parse(view.until) <= Date.parse(view.revokedAt!)) {
    return (
      `${done}\nIt had ended at ${view.until} and signs nothing more. Verifiers refuse its tokens within ` +
      'DELEGATION_REVOCATION_CHECK_SECONDS (5 s by default), even those the ledger holds (checkLedger).'
    );
  }
  return (
    `${done}\nVerifiers and the JWKS refuse its tokens within DELEGATION_REVOCATION_CHECK_SECONDS (5 s by default); ` +
    'the container that held the key makes a new one for its next token.'
  );
}

function revocationText(view: DelegationView, time: (iso: string) => string = (iso) => iso): string {
  if (view.status !== 'revoked') return '-';
  const when = view.revokedAt ? time(view.revokedAt) : 'listed as revoked (time not recorded)';
  return view.revocationReason ? `${when} ${view.revocationReason}` : when;
}

function isoOfEpochSeconds(seconds: number): string {
  return new Date(seconds * 1000).toISOString();
}

/** To the second: a table of five timestamps reads better without milliseconds. */
function short(iso: string): string {
  return iso.replace(/\.\d{3}Z$/, 'Z');
}
