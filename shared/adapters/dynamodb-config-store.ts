import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  paginateQuery,
  paginateScan,
  QueryCommand,
} from '@aws-sdk/lib-dynamodb';
import { validateLayerDocument } from '../domain/config/config-document.js';
import type { ConfigStore, CurrentLayer, CurrentLayersRead, LayerVersion, WriteOptions } from '../domain/config/config-store.js';
import { ConfigConflictError, ConfigVersionNotFoundError, InvalidConfigError } from '../domain/config/errors.js';
import { type LayerId, layerName, parseLayerName } from '../domain/config/layers.js';
import { withinDeadline } from './aws/call-deadline.js';
import { isRunning } from '../domain/config/rollout.js';
import { rolloutOfItem } from './dynamodb-rollout-item.js';

const CURRENT = 'CURRENT';
/**
 * The partition of staged rollouts: one item per layer (sk = the layer's partition key), the
 * latest rollout. In one partition so that a driver lists them with a Query, not a Scan.
 */
export const ROLLOUTS = 'ROLLOUTS';
const VERSION_PREFIX = 'V#';
/** Two keys per layer (its pointer and its rollout) in BatchGetItem's 100. */
const BATCH_GET_LIMIT = 50;
const UNPROCESSED_RETRIES = 4;
/** How far back a layer whose current version is invalid is looked for a valid one. */
const FALLBACK_VERSIONS_LOOKED_AT = 10;

/** `LAYER#DEFAULT`, `LAYER#GROUP#EU`, `LAYER#COUNTRY#DE`. */
export function partitionKeyOf(layer: LayerId): string {
  switch (layer.kind) {
    case 'default':
      return 'LAYER#DEFAULT';
    case 'group':
      return `LAYER#GROUP#${layer.group}`;
    case 'country':
      return `LAYER#COUNTRY#${layer.country}`;
  }
}

function layerOfPartitionKey(pk: string): LayerId | undefined {
  const [prefix, kind, id] = pk.split('#');
  if (prefix !== 'LAYER') return undefined;
  if (kind === 'DEFAULT' && id === undefined) return parseLayerName('default');
  if ((kind === 'GROUP' || kind === 'COUNTRY') && id !== undefined) return parseLayerName(`${kind.toLowerCase()}:${id}`);
  return undefined;
}

/** Zero-padded so that versions sort as numbers: V#0000000001. */
export function versionSortKey(version: number): string {
  return `${VERSION_PREFIX}${String(version).padStart(10, '0')}`;
}

type Item = Record<string, unknown>;

/**
 * Configuration layers in one table (pk, sk). Each layer is a partition holding immutable
 * versions (`V#0000000001`, written with attribute_not_exists) and a `CURRENT` pointer that
 * carries a copy of the current document, so that reading a layer costs one item.
 *
 * No transactions (dynalite has none, and single-item writes are cheaper): a write puts the
 * new version first, then moves the pointer with a condition on the version it was based on.
 * A crash in between leaves an orphan version nobody points to, never a half-written layer;
 * the next write numbers past it. Of two editors starting from the same version, one wins and
 * the other gets ConfigConflictError, whichever step their race is decided at.
 */
export class DynamoDbConfigStore implements ConfigStore {
  constructor(
    private readonly documentClient: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** The served path: eventually consistent (half the cost), and validated, so a bad item is never served. */
  async readCurrent(layers: readonly LayerId[]): Promise<CurrentLayersRead> {
    const found = new Map<string, CurrentLayer>();
    const invalid: CurrentLayersRead['invalid'] = [];
    for (let start = 0; start < layers.length; start += BATCH_GET_LIMIT) {
      const chunk = layers.slice(start, start + BATCH_GET_LIMIT);
      const keys = chunk.flatMap((layer) => [
        { pk: partitionKeyOf(layer), sk: CURRENT },
        { pk: ROLLOUTS, sk: partitionKeyOf(layer) },
      ]);
      const items = await this.batchGet(keys);
      const rollouts = new Map(items.flatMap((item) => (item.pk === ROLLOUTS ? [[String(item.sk), rolloutOfItem(item)] as const] : [])));
      for (const item of items) {
        if (item.sk !== CURRENT) continue;
        const current = currentLayerOf(item);
        if (!current) continue;
        const rollout = rollouts.get(String(item.pk));
        // A rollout that has stopped exposes nobody; one that runs changes what its countries see.
        if (rollout && isRunning(rollout) && validateLayerDocument(current.layer, rollout.toDocument).ok) current.rollout = rollout;
        const validation = validateLayerDocument(current.layer, current.document);
        if (validation.ok) {
          found.set(layerName(current.layer), { ...current, document: validation.document });
          continue;
        }
        const fallback = await this.#newestValidVersionBelow(current.layer, current.version);
        if (fallback) found.set(layerName(current.layer), fallback);
        invalid.push({ layer: current.layer, issues: validation.issues, ...(fallback ? { servedVersion: fallback.version } : {}) });
      }
    }
    return { layers: layers.flatMap((layer) => found.get(layerName(layer)) ?? []), invalid };
  }

  /**
   * The newest version older than `version` that passes today's rules, when the current one does
   * not (the rules moved on, or an item was edited by hand): what every container serves in its
   * place, marked stale, instead of a configuration without the layer. Looks back a few versions.
   */
  async #newestValidVersionBelow(layer: LayerId, version: number): Promise<CurrentLayer | undefined> {
    if (version <= 1) return undefined;
    const { Items } = await this.documentClient.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk AND sk BETWEEN :first AND :below',
        ExpressionAttributeValues: { ':pk': partitionKeyOf(layer), ':first': versionSortKey(1), ':below': versionSortKey(version - 1) },
        ScanIndexForward: false,
        Limit: FALLBACK_VERSIONS_LOOKED_AT,
      }),
      withinDeadline(),
    );
    for (const item of Items ?? []) {
      const older = layerVersionOf(layer, item);
      const validation = validateLayerDocument(layer, older.document);
      if (validation.ok) {
        return { layer, version: older.version, document: validation.document, updatedAt: older.createdAt, updatedBy: older.createdBy, action: 'put' };
      }
    }
    return undefined;
  }

  /** Operator reads return documents as stored, so that a layer that no longer validates can be seen and fixed. */
  async getCurrent(layer: LayerId): Promise<CurrentLayer | undefined> {
    const { Item } = await this.documentClient.send(
      new GetCommand({ TableName: this.tableName, Key: { pk: partitionKeyOf(layer), sk: CURRENT }, ConsistentRead: true }),
      withinDeadline(),
    );
    return Item ? currentLayerOf(Item) : undefined;
  }

  /** A scan: the table holds a few hundred small items at most, and this is an operator command. */
  async listCurrent(): Promise<CurrentLayer[]> {
    const layers: CurrentLayer[] = [];
    const pages = paginateScan(
      { client: this.documentClient },
      { TableName: this.tableName, FilterExpression: 'sk = :current', ExpressionAttributeValues: { ':current': CURRENT } },
    );
    for await (const page of pages) {
      for (const item of page.Items ?? []) {
        const current = currentLayerOf(item);
        if (current) layers.push(current);
      }
    }
    return layers.sort((a, b) => layerOrder(a.layer) - layerOrder(b.layer) || layerName(a.layer).localeCompare(layerName(b.layer)));
  }

  /** Newest first; orphan versions (from an interrupted write) are listed too. */
  async history(layer: LayerId, options: { limit?: number } = {}): Promise<LayerVersion[]> {
    const versions: LayerVersion[] = [];
    const pages = paginateQuery(
      { client: this.documentClient, ...(options.limit === undefined ? {} : { pageSize: options.limit }) },
      {
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': partitionKeyOf(layer), ':prefix': VERSION_PREFIX },
        ScanIndexForward: false,
        ConsistentRead: true,
      },
    );
    for await (const page of pages) {
      versions.push(...(page.Items ?? []).map((item) => layerVersionOf(layer, item)));
      if (options.limit !== undefined && versions.length >= options.limit) return versions.slice(0, options.limit);
    }
    return versions;
  }

  async getVersion(layer: LayerId, version: number): Promise<LayerVersion | undefined> {
    const { Item } = await this.documentClient.send(
      new GetCommand({ TableName: this.tableName, Key: { pk: partitionKeyOf(layer), sk: versionSortKey(version) }, ConsistentRead: true }),
      withinDeadline(),
    );
    return Item ? layerVersionOf(layer, Item) : undefined;
  }

  /**
   * 1. Validate; an invalid document is refused before anything is read or written.
   * 2. Check the base version against the pointer, to fail early without leaving an orphan.
   * 3. Number the new version past the highest one stored (orphans included).
   * 4. Put the version if its number is free, else another writer took it: conflict.
   * 5. Move the pointer if it still points at the base, else conflict.
   */
  async put(layer: LayerId, document: unknown, options: WriteOptions): Promise<CurrentLayer> {
    const { base, written } = await this.putVersion(layer, document, options);
    return this.movePointer(layer, base, {
      layer,
      version: written.version,
      document: written.document,
      updatedAt: written.createdAt,
      updatedBy: options.author,
      action: 'put',
      ...(options.message ? { message: options.message } : {}),
    });
  }

  /** Steps 1 to 4 of `put`: a new immutable version nobody points to yet (a staged rollout points some countries at it). */
  async putVersion(layer: LayerId, document: unknown, options: WriteOptions): Promise<{ base: number | null; written: LayerVersion }> {
    const name = layerName(layer);
    const validation = validateLayerDocument(layer, document);
    if (!validation.ok) throw new InvalidConfigError(name, validation.issues);

    const base = await this.baseVersion(layer, options.expectedVersion);
    const version = (await this.highestVersion(layer)) + 1;
    const at = this.now().toISOString();
    const versionItem: Item = {
      pk: partitionKeyOf(layer),
      sk: versionSortKey(version),
      version,
      document: validation.document,
      createdAt: at,
      createdBy: options.author,
      ...(options.message ? { message: options.message } : {}),
    };
    try {
      await this.documentClient.send(
        new PutCommand({ TableName: this.tableName, Item: versionItem, ConditionExpression: 'attribute_not_exists(pk)' }),
        withinDeadline(),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) throw new ConfigConflictError(name, base, base);
      throw error;
    }
    return { base, written: layerVersionOf(layer, versionItem) };
  }

  async rollback(layer: LayerId, toVersion: number, options: WriteOptions, action: 'rollback' | 'rollout' = 'rollback'): Promise<CurrentLayer> {
    const name = layerName(layer);
    const target = await this.getVersion(layer, toVersion);
    if (!target) throw new ConfigVersionNotFoundError(name, toVersion);
    // The rules may have moved on since (a currency withdrawn): never make invalid content current.
    const validation = validateLayerDocument(layer, target.document);
    if (!validation.ok) throw new InvalidConfigError(`${name} version ${toVersion}`, validation.issues);

    const base = await this.baseVersion(layer, options.expectedVersion);
    return this.movePointer(layer, base, {
      layer,
      version: toVersion,
      document: validation.document,
      updatedAt: this.now().toISOString(),
      updatedBy: options.author,
      action,
      ...(options.message ? { message: options.message } : {}),
    });
  }

  private async baseVersion(layer: LayerId, expected: number | null | undefined): Promise<number | null> {
    const { Item } = await this.documentClient.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { pk: partitionKeyOf(layer), sk: CURRENT },
        ConsistentRead: true,
        ProjectionExpression: 'version',
      }),
      withinDeadline(),
    );
    const current = typeof Item?.version === 'number' ? Item.version : null;
    if (expected !== undefined && expected !== current) throw new ConfigConflictError(layerName(layer), expected, current);
    return current;
  }

  private async highestVersion(layer: LayerId): Promise<number> {
    const { Items } = await this.documentClient.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': partitionKeyOf(layer), ':prefix': VERSION_PREFIX },
        ScanIndexForward: false,
        ConsistentRead: true,
        Limit: 1,
        ProjectionExpression: 'version',
      }),
      withinDeadline(),
    );
    const highest = Items?.[0]?.version;
    return typeof highest === 'number' ? highest : 0;
  }

  /**
   * Pointing at the same version again is allowed (a rollback to what is current); the
   * condition is on the base, so an ABA (rolled away and back) is accepted: the editor's base
   * content is then exactly what is current.
   */
  private async movePointer(layer: LayerId, base: number | null, current: CurrentLayer): Promise<CurrentLayer> {
    const { layer: _layer, ...attributes } = current;
    try {
      await this.documentClient.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { pk: partitionKeyOf(layer), sk: CURRENT, ...attributes },
          ...(base === null
            ? { ConditionExpression: 'attribute_not_exists(pk)' }
            : { ConditionExpression: '#version = :base', ExpressionAttributeNames: { '#version': 'version' }, ExpressionAttributeValues: { ':base': base } }),
        }),
        withinDeadline(),
      );
      return current;
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      const actual = await this.getCurrent(layer);
      throw new ConfigConflictError(layerName(layer), base, actual?.version ?? null);
    }
  }

  private async batchGet(keys: Item[]): Promise<Item[]> {
    const items: Item[] = [];
    let pending: Item[] = keys;
    for (let attempt = 0; pending.length > 0; attempt += 1) {
      if (attempt > UNPROCESSED_RETRIES) throw new Error(`DynamoDB left ${pending.length} config keys unprocessed after ${attempt} attempts`);
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 25 * 2 ** attempt));
      const response = await this.documentClient.send(
        new BatchGetCommand({ RequestItems: { [this.tableName]: { Keys: pending } } }),
        withinDeadline(),
      );
      items.push(...(response.Responses?.[this.tableName] ?? []));
      pending = response.UnprocessedKeys?.[this.tableName]?.Keys ?? [];
    }
    return items;
  }
}

function layerOrder(layer: LayerId): number {
  return layer.kind === 'default' ? 0 : layer.kind === 'group' ? 1 : 2;
}

function currentLayerOf(item: Item): CurrentLayer | undefined {
  const layer = layerOfPartitionKey(String(item.pk));
  if (!layer || typeof item.version !== 'number') return undefined;
  return {
    layer,
    version: item.version,
    document: (item.document ?? {}) as CurrentLayer['document'],
    updatedAt: String(item.updatedAt ?? ''),
    updatedBy: String(item.updatedBy ?? ''),
    action: item.action === 'rollback' || item.action === 'rollout' ? item.action : 'put',
    ...(typeof item.message === 'string' ? { message: item.message } : {}),
  };
}

function layerVersionOf(layer: LayerId, item: Item): LayerVersion {
  return {
    layer,
    version: Number(item.version),
    document: (item.document ?? {}) as LayerVersion['document'],
    createdAt: String(item.createdAt ?? ''),
    createdBy: String(item.createdBy ?? ''),
    ...(typeof item.message === 'string' ? { message: item.message } : {}),
  };
}
