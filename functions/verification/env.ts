import { awsCallTimeoutsEnvSchema } from '../../shared/adapters/aws/client-options.js';
import { kidOfKeyArn } from '../../shared/adapters/kms-key-id.js';
import { kmsKeyArnListSchema, kmsKeyArnSchema } from '../../shared/lambda-env/parse-env.js';
import { publicJwkListSchema } from '../../shared/lambda-env/public-keys-env.js';
import { delegatedModeNeedsRegistry, signingModeEnvShape } from '../../shared/lambda-env/delegation-env.js';
import { observabilityEnvSchema } from '../../shared/observability/observability-env.js';
import * as z from '../../shared/zod.js';

/** The verification function's environment contract. */
export const verificationEnvSchema = z
  .object({
    ...awsCallTimeoutsEnvSchema.shape,
    ...observabilityEnvSchema.shape,
    /** Verdicts are signed in this mode; payment responses of delegated keys are read from DELEGATION_TABLE_NAME in either. */
    ...signingModeEnvShape,
    /** Current key first, previous second: the trust set for payment responses. */
    TRUSTED_PAYMENT_KEY_ARNS: kmsKeyArnListSchema,
    /**
     * Their public halves, read at deploy time: checking a signature then needs no KMS call and
     * no AWS SDK. A member missing here is fetched from KMS on first use.
     */
    TRUSTED_PAYMENT_PUBLIC_KEYS: z.optional(publicJwkListSchema),
    VERDICT_SIGNING_KEY_ARN: kmsKeyArnSchema,
    LEDGER_TABLE_NAME: z.string().check(z.minLength(1)),
    PAYMENT_ISSUER: z.string().check(z.minLength(1)),
  })
  .check(
    delegatedModeNeedsRegistry,
    z.refine((vars) => !vars.TRUSTED_PAYMENT_KEY_ARNS.map(kidOfKeyArn).includes(kidOfKeyArn(vars.VERDICT_SIGNING_KEY_ARN)), {
      path: ['VERDICT_SIGNING_KEY_ARN'],
      message: 'must not be one of TRUSTED_PAYMENT_KEY_ARNS: a key is trusted for one kind of token only',
    }),
  );

export type VerificationEnv = z.output<typeof verificationEnvSchema>;
