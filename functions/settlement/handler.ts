import { parseEnv } from '../../shared/lambda-env/parse-env.js';
import { createSettlementHandler } from './create-handler.js';
import { settlementEnvSchema } from './env.js';

// The Lambda entry: the environment is read once per container, and a bad one fails the cold start.
export const handler = createSettlementHandler(parseEnv(settlementEnvSchema));
