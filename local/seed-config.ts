import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoDbConfigStore } from '../shared/adapters/dynamodb-config-store.js';
import type { ConfigStore } from '../shared/domain/config/config-store.js';
import { ConfigConflictError } from '../shared/domain/config/errors.js';
import { layerName, parseLayerName } from '../shared/domain/config/layers.js';
import { CONFIG_SEED, type SeedLayer } from './seed/config-layers.js';

export const SEED_AUTHOR = 'seed';

/**
 * Loads the seed configuration into every layer that has no current version yet, through the
 * same validated write path as `npm run config -- put`. Layers an operator has written are
 * left alone, so this is safe on every start. Returns the layers it wrote.
 */
export async function seedConfigLayers(store: ConfigStore, seed: readonly SeedLayer[] = CONFIG_SEED): Promise<string[]> {
  const written = await Promise.all(
    seed.map(async ({ layer: name, document }) => {
      const layer = parseLayerName(name);
      if (!layer) throw new Error(`Seed layer '${name}' is not a layer name`);
      // Checked first so that restarts leave no orphan versions behind; the conditional put settles races.
      if (await store.getCurrent(layer)) return [];
      try {
        await store.put(layer, document, { expectedVersion: null, author: SEED_AUTHOR, message: 'Seed data' });
        return [layerName(layer)];
      } catch (error) {
        if (error instanceof ConfigConflictError) return [];
        throw error;
      }
    }),
  );
  return written.flat();
}

/** Called by the local stack's bootstrap once the config table exists. */
export async function seedConfigIfEmpty(options: { dynamodb: DynamoDBClient; tableName: string }): Promise<void> {
  await seedConfigLayers(new DynamoDbConfigStore(DynamoDBDocumentClient.from(options.dynamodb), options.tableName));
}
