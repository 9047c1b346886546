import { parseEnv } from '../../shared/lambda-env/parse-env.js';
import { createJwksHandler } from './create-handler.js';
import { jwksEnvSchema } from './env.js';

// The Lambda entry: the environment is read once per container, and a bad one fails the cold start.
export const handler = createJwksHandler(parseEnv(jwksEnvSchema));
