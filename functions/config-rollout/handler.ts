import { parseEnv } from '../../shared/lambda-env/parse-env.js';
import { createConfigRolloutHandler } from './create-handler.js';
import { configRolloutEnvSchema } from './env.js';

// The Lambda entry, invoked by an EventBridge schedule: the environment is read once per container.
export const handler = createConfigRolloutHandler(parseEnv(configRolloutEnvSchema));
