/**
 * The port through which use cases sign: a compact JWS (ES256) of `claims` with the header
 * `typ` given. The key and algorithm are the adapter's, fixed at construction, never the caller's.
 */
export interface JwsSigner {
  sign(typ: string, claims: Record<string, unknown>): Promise<string>;
}
