import { awsCallTimeoutsEnvSchema } from '../../shared/adapters/aws/client-options.js';
import { kmsKeyArnListSchema, kmsKeyArnSchema } from '../../shared/lambda-env/parse-env.js';
import * as z from '../../shared/zod.js';

/** The jwks function's environment contract. */
export const jwksEnvSchema = z.object({
  ...awsCallTimeoutsEnvSchema.shape,
  TRUSTED_PAYMENT_KEY_ARNS: kmsKeyArnListSchema,
  VERDICT_SIGNING_KEY_ARN: kmsKeyArnSchema,
});

export type JwksEnv = z.output<typeof jwksEnvSchema>;
