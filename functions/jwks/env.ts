import { awsCallTimeoutsEnvSchema } from '../../shared/adapters/aws/client-options.js';
import { kidOfKeyArn } from '../../shared/adapters/kms-key-id.js';
import { kmsKeyArnListSchema, kmsKeyArnSchema } from '../../shared/lambda-env/parse-env.js';
import { publicJwkJsonSchema, publicJwkListSchema } from '../../shared/lambda-env/public-keys-env.js';
import { signingModeEnvShape } from '../../shared/lambda-env/delegation-env.js';
import { observabilityEnvSchema } from '../../shared/observability/observability-env.js';
import * as z from '../../shared/zod.js';

/** The jwks function's environment contract. */
export const jwksEnvSchema = z
  .object({
    ...awsCallTimeoutsEnvSchema.shape,
    ...observabilityEnvSchema.shape,
    TRUSTED_PAYMENT_KEY_ARNS: kmsKeyArnListSchema,
    VERDICT_SIGNING_KEY_ARN: kmsKeyArnSchema,
    /** The key that signs configuration answers, published in a document of its own. */
    CONFIG_SIGNING_KEY_ARN: kmsKeyArnSchema,
    /** Public halves read at deploy time: the JWKS is served without KMS (a key missing here is fetched). */
    TRUSTED_PAYMENT_PUBLIC_KEYS: z.optional(publicJwkListSchema),
    VERDICT_PUBLIC_KEY: z.optional(publicJwkJsonSchema),
    CONFIG_PUBLIC_KEY: z.optional(publicJwkJsonSchema),
    /** In delegated mode the documents list the live delegated keys, and caches keep them seconds only. */
    SIGNING_MODE: signingModeEnvShape.SIGNING_MODE,
    /** The delegation registry, read in delegated mode. */
    DELEGATION_TABLE_NAME: signingModeEnvShape.DELEGATION_TABLE_NAME,
    DELEGATION_REVOCATION_CHECK_SECONDS: signingModeEnvShape.DELEGATION_REVOCATION_CHECK_SECONDS,
    /** The issuer delegations must name before their keys are published (with DELEGATION_TABLE_NAME). */
    PAYMENT_ISSUER: z.optional(z.string().check(z.minLength(1))),
  })
  .check(
    // Each document publishes the keys of one kind of token: a key in two would be trusted for both.
    z.refine((vars) => !vars.TRUSTED_PAYMENT_KEY_ARNS.map(kidOfKeyArn).includes(kidOfKeyArn(vars.VERDICT_SIGNING_KEY_ARN)), {
      path: ['VERDICT_SIGNING_KEY_ARN'],
      message: 'must not be one of TRUSTED_PAYMENT_KEY_ARNS: a key is trusted for one kind of token only',
    }),
    z.refine(
      (vars) => ![...vars.TRUSTED_PAYMENT_KEY_ARNS, vars.VERDICT_SIGNING_KEY_ARN].map(kidOfKeyArn).includes(kidOfKeyArn(vars.CONFIG_SIGNING_KEY_ARN)),
      { path: ['CONFIG_SIGNING_KEY_ARN'], message: 'must be neither a payment key nor the verdict key: a key is trusted for one kind of token only' },
    ),
    z.refine((vars) => vars.DELEGATION_TABLE_NAME === undefined || vars.PAYMENT_ISSUER !== undefined, {
      path: ['PAYMENT_ISSUER'],
      message: 'is required with DELEGATION_TABLE_NAME: only delegations of our issuer are published',
    }),
  );

export type JwksEnv = z.output<typeof jwksEnvSchema>;
