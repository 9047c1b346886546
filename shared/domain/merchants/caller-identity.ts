/**
 * Who called, as API Gateway's authorizer established it, reduced to one string that the merchant
 * registry stores. Two spellings, one per authorizer:
 *
 * - `iam:arn:aws:iam::123456789012:role/name` for SigV4 callers. A role's sessions
 *   (`arn:aws:sts::…:assumed-role/name/session`) all map to their role, so registering the role
 *   covers every session; paths are dropped because session ARNs do not carry them.
 * - `jwt:<iss>|<claim>` for JWT callers: the issuer and the subject (or the claim the deployment
 *   names), so two identity providers can never claim each other's subjects.
 */
export type CallerIdentity =
  | { kind: 'iam'; principalArn: string }
  | { kind: 'jwt'; issuer: string; subject: string };

const ASSUMED_ROLE = /^arn:(aws[a-z-]*):sts::(\d{12}):assumed-role\/([^/]+)\/[^/]+$/;
const IAM_ROLE = /^arn:(aws[a-z-]*):iam::(\d{12}):role\/(?:[^/]+\/)*([^/]+)$/;
const IAM_USER = /^arn:(aws[a-z-]*):iam::(\d{12}):user\/(?:[^/]+\/)*([^/]+)$/;

/** The principal a registration names, whatever form of its ARN was given; undefined if it is no IAM role or user. */
export function canonicalPrincipalArn(arn: string): string | undefined {
  const role = ASSUMED_ROLE.exec(arn) ?? IAM_ROLE.exec(arn);
  if (role) return `arn:${role[1]}:iam::${role[2]}:role/${role[3]}`;
  const user = IAM_USER.exec(arn);
  if (user) return `arn:${user[1]}:iam::${user[2]}:user/${user[3]}`;
  return undefined;
}

/** The registry key of a caller, or undefined when the identity cannot name anyone. */
export function callerIdOf(identity: CallerIdentity): string | undefined {
  if (identity.kind === 'iam') {
    const principal = canonicalPrincipalArn(identity.principalArn);
    return principal && `iam:${principal}`;
  }
  if (!identity.issuer || !identity.subject || identity.issuer.includes('|')) return undefined;
  return `jwt:${identity.issuer}|${identity.subject}`;
}

/**
 * Reads a caller as an operator writes it: an IAM role or user ARN (any form), or
 * `jwt:<issuer>|<subject>`. Returns the registry key, or a message saying what is wrong.
 */
export function parseCallerId(text: string): { callerId: string } | { error: string } {
  if (text.startsWith('jwt:')) {
    const [issuer, ...rest] = text.slice(4).split('|');
    const subject = rest.join('|');
    const callerId = issuer && subject ? callerIdOf({ kind: 'jwt', issuer, subject }) : undefined;
    return callerId ? { callerId } : { error: `'${text}' is not jwt:<issuer>|<subject>` };
  }
  const arn = text.startsWith('iam:') ? text.slice(4) : text;
  const callerId = callerIdOf({ kind: 'iam', principalArn: arn });
  return callerId ? { callerId } : { error: `'${text}' is neither an IAM role or user ARN nor jwt:<issuer>|<subject>` };
}
