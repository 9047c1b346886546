import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { KMSClient } from '@aws-sdk/client-kms';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { awsClientOptions } from '../../shared/adapters/aws/client-options.js';
import { measureAwsCalls } from '../../shared/adapters/aws/dependency-metrics.js';
import { onFirstUse } from '../../shared/adapters/aws/on-first-use.js';
import { CachedConfigLayers } from '../../shared/adapters/cached-config-layers.js';
import { CachedConfigSignatures } from '../../shared/adapters/cached-config-signatures.js';
import { DynamoDbConfigStore } from '../../shared/adapters/dynamodb-config-store.js';
import type { ConfigSignatures } from '../../shared/domain/config/config-signature.js';
import { layerName } from '../../shared/domain/config/layers.js';
import { originVerifier, parseConfigRequest } from '../../shared/http/config/config-request.js';
import { configResponse } from '../../shared/http/config/config-response.js';
import { httpHandler } from '../../shared/http/http-handler.js';
import { functionObservability } from '../../shared/observability/function-observability.js';
import { METRICS } from '../../shared/observability/metric-names.js';
import { lookUpSignedConfig } from '../../shared/use-cases/look-up-config.js';
import type { ConfigEnv } from './env.js';

/** The AWS clients the function uses; tests hand in their own, pointed at an emulator. */
export interface ConfigClients {
  dynamodb?: DynamoDBClient;
  kms?: KMSClient;
}

/**
 * GET /v1/config: the configuration for the caller's country, layered, cached and signed.
 *
 * The DynamoDB client is made at cold start (every container reads layers at once); the KMS
 * client and signer load on the first signature (`import()`), which a container needs once per
 * answer and configuration version. `clients` are for tests; `signatures` only for the bench,
 * which measures what signing costs beside a container that signs nothing.
 */
export function createConfigHandler(env: ConfigEnv, clients: ConfigClients = {}, signatures?: ConfigSignatures) {
  const observability = functionObservability('config', env);
  const { logger, metrics } = observability;
  // A read that hangs must not hold the request: attempts time out, the request's deadline bounds
  // the retries, and the last known configuration is served.
  const dynamodb = measureAwsCalls(clients.dynamodb ?? new DynamoDBClient(awsClientOptions(env)), 'DynamoDB', metrics);
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
  const signer = onFirstUse(async () => (await import('./aws-adapters.js')).configSigner(env, metrics, clients.kms));
  const deps = {
    layers,
    signatures:
      signatures ??
      new CachedConfigSignatures(
        { sign: async (typ, claims) => (await signer()).sign(typ, claims) },
        {
          issuer: env.PAYMENT_ISSUER,
          lifetimeSeconds: env.CONFIG_SIGNATURE_LIFETIME_SECONDS,
          onSigningFailure: (error, servedKept) =>
            servedKept
              ? logger.warn('Signing a configuration answer failed; serving its earlier signature, still valid', { error: error as Error })
              : logger.error('Signing a configuration answer failed, and no valid signature of it is kept', { error: error as Error }),
        },
      ),
  };
  const cameThroughCloudFront = originVerifier(env.VIEWER_COUNTRY_ORIGIN_SECRET);
  const policy = {
    maxAge: env.CONFIG_MAX_AGE_SECONDS,
    staleWhileRevalidate: env.CONFIG_STALE_WHILE_REVALIDATE_SECONDS,
    staleIfError: env.CONFIG_STALE_IF_ERROR_SECONDS,
  };

  return httpHandler(observability, async (event) => {
    const request = parseConfigRequest(event, cameThroughCloudFront);
    const lookup = await lookUpSignedConfig(deps, request.hints);
    return configResponse(lookup, {
      explain: request.explain,
      policy,
      ifNoneMatch: event.headers?.['if-none-match'],
      nowSeconds: Math.floor(Date.now() / 1000),
    });
  });
}
