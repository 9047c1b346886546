import type { FunctionId } from '../shared/routes.js';
import type * as z from '../shared/zod.js';
import { configEnvSchema } from './config/env.js';
import { jwksEnvSchema } from './jwks/env.js';
import { settlementEnvSchema } from './settlement/env.js';
import { verificationEnvSchema } from './verification/env.js';

/**
 * Every function's environment contract, by function id: the CDK stack and the local stack set
 * variables by these names only, so a name that is not in a function's contract is a type error,
 * and a required one left unset fails `cdk synth`.
 */
export const ENV_CONTRACTS = {
  settlement: settlementEnvSchema,
  jwks: jwksEnvSchema,
  verification: verificationEnvSchema,
  config: configEnvSchema,
} as const satisfies Record<FunctionId, z.ZodMiniObject>;

export type EnvContracts = typeof ENV_CONTRACTS;
