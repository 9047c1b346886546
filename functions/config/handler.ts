import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { awsClientOptions } from '../../shared/adapters/aws/client-options.js';
import { CachedConfigLayers } from '../../shared/adapters/cached-config-layers.js';
import { DynamoDbConfigStore } from '../../shared/adapters/dynamodb-config-store.js';
import { parseEnv } from '../../shared/config/env.js';
import { layerName } from '../../shared/domain/config/layers.js';
import { httpHandler } from '../../shared/http/http-handler.js';
import { logger } from '../../shared/observability/logger.js';
import { cachePolicyOf, configResponse } from './config-response.js';
import { originVerifier, parseConfigRequest } from './config-request.js';
import { configFunctionEnvSchema } from './env.js';
import { lookUpConfig } from './look-up-config.js';

const env = parseEnv(configFunctionEnvSchema);

// A read that hangs must not hold the request: attempts time out, the request's deadline bounds
// the retries, and the last known configuration is served.
const dynamodb = new DynamoDBClient(awsClientOptions(env));
const store = new DynamoDbConfigStore(DynamoDBDocumentClient.from(dynamodb), env.CONFIG_TABLE_NAME);
const layers = new CachedConfigLayers(store, {
  ttlMs: env.CONFIG_CACHE_TTL_SECONDS * 1000,
  onReadFailure: (error, due) =>
    logger.warn('Reading configuration failed; serving the last known configuration', { layers: due.map(layerName), error }),
  // Not transient: someone wrote around the CLI, or a rule changed. An operator must fix or roll back the layer.
  onInvalidLayer: (layer, issues) =>
    logger.error('A stored configuration layer is invalid; serving the last known version of it', { layer: layerName(layer), issues }),
});
const cameThroughCloudFront = originVerifier(env.VIEWER_COUNTRY_ORIGIN_SECRET);
const policy = cachePolicyOf(env);

/** GET /v1/config: the configuration for the caller's country, layered and cached. */
export const handler = httpHandler(async (event) => {
  const request = parseConfigRequest(event, cameThroughCloudFront);
  const lookup = await lookUpConfig({ layers }, request.hints);
  return configResponse(lookup, { explain: request.explain, policy, ifNoneMatch: event.headers?.['if-none-match'] });
});
