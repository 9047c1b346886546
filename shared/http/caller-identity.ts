import { type CallerIdentity, callerIdOf } from '../domain/merchants/caller-identity.js';
import type { HttpEvent } from './types.js';

/** What API Gateway (HTTP API, payload 2.0) puts in requestContext.authorizer for IAM and JWT routes. */
interface AuthorizerContext {
  iam?: { userArn?: unknown };
  jwt?: { claims?: Record<string, unknown> };
}

/**
 * The caller API Gateway's authorizer established: the IAM principal of a SigV4 request, or the
 * issuer and `subjectClaim` of a JWT. Nothing a client sends in headers or body counts here.
 */
export function callerIdentityOf(event: HttpEvent, subjectClaim: string): CallerIdentity | undefined {
  const authorizer = (event.requestContext as { authorizer?: AuthorizerContext }).authorizer;
  const claims = authorizer?.jwt?.claims;
  if (claims) {
    const issuer = claims.iss;
    const subject = claims[subjectClaim];
    return typeof issuer === 'string' && typeof subject === 'string' ? { kind: 'jwt', issuer, subject } : undefined;
  }
  const principalArn = authorizer?.iam?.userArn;
  return typeof principalArn === 'string' ? { kind: 'iam', principalArn } : undefined;
}

/** The registry key of the event's caller, or undefined when the authorizer named nobody. */
export function callerIdOfEvent(event: HttpEvent, subjectClaim: string): string | undefined {
  const identity = callerIdentityOf(event, subjectClaim);
  return identity && callerIdOf(identity);
}
