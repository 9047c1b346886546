import { Logger } from '@aws-lambda-powertools/logger';

/**
 * One logger per container. Service name and level come from POWERTOOLS_SERVICE_NAME and
 * POWERTOOLS_LOG_LEVEL. Never log bodies, tokens, signatures or card tokens: log ids.
 */
export const logger = new Logger();
