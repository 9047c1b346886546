import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { awsClientOptions } from '../../shared/adapters/aws/client-options.js';
import { measureAwsCalls } from '../../shared/adapters/aws/dependency-metrics.js';
import { CachedConfigLayers } from '../../shared/adapters/cached-config-layers.js';
import { DynamoDbConfigStore } from '../../shared/adapters/dynamodb-config-store.js';
import { layerName } from '../../shared/domain/config/layers.js';
import { originVerifier, parseConfigRequest } from '../../shared/http/config/config-request.js';
import { configResponse } from '../../shared/http/config/config-response.js';
import { httpHandler } from '../../shared/http/http-handler.js';
import { functionObservability } from '../../shared/observability/function-observability.js';
import { METRICS } from '../../shared/observability/metric-names.js';
import { lookUpConfig } from '../../shared/use-cases/look-up-config.js';
import type { ConfigEnv } from './env.js';

/** The AWS clients the function uses; tests hand in their own, pointed at an emulator. */
export function configClients(env: ConfigEnv) {
  // A read that hangs must not hold the request: attempts time out, the request's deadline bounds
  // the retries, and the last known configuration is served.
  return { dynamodb: new DynamoDBClient(awsClientOptions(env)) };
}

/** GET /v1/config: the configuration for the caller's country, layered and cached. */
export function createConfigHandler(env: ConfigEnv, clients = configClients(env)) {
  const observability = functionObservability('config', env);
  const { logger, metrics } = observability;
  const dynamodb = measureAwsCalls(clients.dynamodb, 'DynamoDB', metrics);
  const store = new DynamoDbConfigStore(DynamoDBDocumentClient.from(dynamodb), env.CONFIG_TABLE_NAME);
  const layers = new CachedConfigLayers(store, {
    ttlMs: env.CONFIG_CACHE_TTL_SECONDS * 1000,
    onReadFailure: (error, due) =>
      logger.warn('Reading configuration failed; serving the last known configuration', { layers: due.map(layerName), error }),
    // Not transient: someone wrote around the CLI, or a rule changed. An operator must fix or roll back the layer.
    onInvalidLayer: (layer, issues) =>
      logger.error('A stored configuration layer is invalid; serving the last known version of it', { layer: layerName(layer), issues }),
    onLookup: ({ readSource, servedStaleAfterFailure }) => {
      metrics.count(readSource ? METRICS.configCacheMisses : METRICS.configCacheHits);
      if (servedStaleAfterFailure) metrics.count(METRICS.staleConfigServed);
    },
  });
  const cameThroughCloudFront = originVerifier(env.VIEWER_COUNTRY_ORIGIN_SECRET);
  const policy = {
    maxAge: env.CONFIG_MAX_AGE_SECONDS,
    staleWhileRevalidate: env.CONFIG_STALE_WHILE_REVALIDATE_SECONDS,
    staleIfError: env.CONFIG_STALE_IF_ERROR_SECONDS,
  };

  return httpHandler(observability, async (event) => {
    const request = parseConfigRequest(event, cameThroughCloudFront);
    const lookup = await lookUpConfig({ layers }, request.hints);
    return configResponse(lookup, { explain: request.explain, policy, ifNoneMatch: event.headers?.['if-none-match'] });
  });
}
