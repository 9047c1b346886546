/**
 * The JWT claims that may name a caller (with `iss`): each identifies one client or one subject
 * and is set by the identity provider alone. Not `scope` or groups (shared by many callers), nor
 * `email` or user names (changeable by the user with some providers), nor the token's own claims.
 */
export const CALLER_JWT_CLAIMS = ['sub', 'client_id', 'azp'] as const;
