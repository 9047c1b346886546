import { awsCallTimeoutsEnvSchema } from '../../shared/adapters/aws/client-options.js';

/** The public-key-jwk function's environment contract: only how long its KMS calls may take. */
export const publicKeyJwkEnvSchema = awsCallTimeoutsEnvSchema;
