import { MAX_DELEGATION_LIFETIME_SECONDS, MIN_DELEGATION_LIFETIME_SECONDS, SIGNING_MODES } from '../domain/delegation/delegation.js';
import * as z from '../zod.js';

/**
 * How a function that signs signs: `kms` (one KMS Sign per token) or `delegated` (an ephemeral
 * key per container, certified by one KMS Sign per delegation lifetime; see
 * shared/adapters/delegated-jws-signer.ts). Delegated mode needs the registry table.
 */
export const signingModeEnvShape = {
  SIGNING_MODE: z._default(z.enum(SIGNING_MODES), 'kms'),
  /** How long each delegation lives: at most an hour, the longest a stolen ephemeral key could sign. */
  DELEGATION_LIFETIME_SECONDS: z._default(
    z.coerce.number().check(z.int(), z.minimum(MIN_DELEGATION_LIFETIME_SECONDS), z.maximum(MAX_DELEGATION_LIFETIME_SECONDS)),
    MAX_DELEGATION_LIFETIME_SECONDS,
  ),
  /** How long delegations are kept after they end, with their KMS signatures: as long as receipts may be examined. */
  DELEGATION_RETENTION_HOURS: z._default(z.coerce.number().check(z.int(), z.positive()), 720),
  /** The delegation registry: required in delegated mode; where set, verifiers read delegated keys from it. */
  DELEGATION_TABLE_NAME: z.optional(z.string().check(z.minLength(1))),
  /** How often a container reads the revocation list while it uses delegated keys: revocations take effect within this. */
  DELEGATION_REVOCATION_CHECK_SECONDS: z._default(z.coerce.number().check(z.int(), z.minimum(1), z.maximum(60)), 5),
};

/** What a signing function reads of its mode, as parsed. */
export type SigningModeEnv = z.output<ReturnType<typeof z.object<typeof signingModeEnvShape>>>;

/** Delegated mode without a registry would sign tokens nobody can check: refused at cold start. */
export const delegatedModeNeedsRegistry = z.refine<{ SIGNING_MODE: string; DELEGATION_TABLE_NAME?: string }>(
  (vars) => vars.SIGNING_MODE !== 'delegated' || vars.DELEGATION_TABLE_NAME !== undefined,
  { path: ['DELEGATION_TABLE_NAME'], message: "is required when SIGNING_MODE is 'delegated': delegations are registered there" },
);
