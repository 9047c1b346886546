import { parseEnv } from '../../shared/lambda-env/parse-env.js';
import { createConfigHandler } from './create-handler.js';
import { configEnvSchema } from './env.js';

// The Lambda entry: the environment is read once per container, and a bad one fails the cold start.
export const handler = createConfigHandler(parseEnv(configEnvSchema));
