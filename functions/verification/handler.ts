import { parseEnv } from '../../shared/lambda-env/parse-env.js';
import { createVerificationHandler } from './create-handler.js';
import { verificationEnvSchema } from './env.js';

// The Lambda entry: the environment is read once per container, and a bad one fails the cold start.
export const handler = createVerificationHandler(parseEnv(verificationEnvSchema));
