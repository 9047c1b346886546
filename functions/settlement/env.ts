import { awsCallTimeoutsEnvSchema } from '../../shared/adapters/aws/client-options.js';
import { PAYMENT_PROCESSORS } from '../../shared/adapters/sandbox-payment-processor.js';
import { CALLER_JWT_CLAIMS } from '../../shared/domain/merchants/caller-claims.js';
import { kmsKeyArnSchema } from '../../shared/lambda-env/parse-env.js';
import { delegatedModeNeedsRegistry, signingModeEnvShape } from '../../shared/lambda-env/delegation-env.js';
import { observabilityEnvSchema } from '../../shared/observability/observability-env.js';
import * as z from '../../shared/zod.js';

/** The settlement function's environment contract: infra and the local stack set these names, and only these. */
export const settlementEnvSchema = z
  .object({
    ...awsCallTimeoutsEnvSchema.shape,
    ...observabilityEnvSchema.shape,
    ...signingModeEnvShape,
    PAYMENT_SIGNING_KEY_ARN: kmsKeyArnSchema,
    PAYMENT_ISSUER: z.string().check(z.minLength(1)),
    LEDGER_TABLE_NAME: z.string().check(z.minLength(1)),
    MERCHANT_TABLE_NAME: z.string().check(z.minLength(1)),
    PAYMENT_PROCESSOR: z.enum(Object.keys(PAYMENT_PROCESSORS) as [keyof typeof PAYMENT_PROCESSORS]),
    /** With a JWT authorizer, the claim that (with `iss`) names the caller in the merchant registry. */
    CALLER_JWT_CLAIM: z._default(z.enum(CALLER_JWT_CLAIMS), 'sub'),
    MERCHANT_CACHE_TTL_SECONDS: z._default(z.coerce.number().check(z.int(), z.minimum(0)), 30),
  })
  .check(delegatedModeNeedsRegistry);

export type SettlementEnv = z.output<typeof settlementEnvSchema>;
