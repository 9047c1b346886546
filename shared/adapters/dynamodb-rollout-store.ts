import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, PutCommand, paginateQuery } from '@aws-sdk/lib-dynamodb';
import { ConfigConflictError, InvalidConfigError } from '../domain/config/errors.js';
import { type LayerId, layerName } from '../domain/config/layers.js';
import { isRunning, type LayerPointer, type Rollout, rolloutAuthor, type RolloutStore, startRollout } from '../domain/config/rollout.js';
import { withinDeadline } from './aws/call-deadline.js';
import { type DynamoDbConfigStore, partitionKeyOf, ROLLOUTS } from './dynamodb-config-store.js';
import { rolloutAttributes, rolloutOfItem } from './dynamodb-rollout-item.js';

function keyOf(layer: LayerId): { pk: string; sk: string } {
  return { pk: ROLLOUTS, sk: partitionKeyOf(layer) };
}

/** A layer has a rollout running (or no current version to roll out from): nothing was written. */
export class RolloutRefusedError extends Error {
  readonly code = 'ROLLOUT_REFUSED';
}

export interface RolloutRequest {
  layer: LayerId;
  document: unknown;
  stages: Rollout['stages'];
  bakeMs: number;
  author: string;
  message?: string;
}

/**
 * Staged rollouts in the config table: one item per layer (pk `ROLLOUTS`, sk the layer's
 * partition key: the latest rollout), which the config function reads in the same BatchGet as
 * the layer's pointer. Every write is a single conditional put on `revision`.
 */
export class DynamoDbRolloutStore implements RolloutStore {
  constructor(
    private readonly documentClient: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly configStore: DynamoDbConfigStore,
  ) {}

  /**
   * 1. Refuse if the layer has a rollout running or no current version (its first version is a `put`).
   * 2. Write the new immutable version; the pointer stays where it is.
   * 3. Write the rollout, unless another one started meanwhile: the first stage is exposed from now,
   *    its bake timed from the driver's first pass.
   */
  async start(request: RolloutRequest): Promise<Rollout> {
    const name = layerName(request.layer);
    const running = await this.get(request.layer);
    if (running && isRunning(running)) throw new RolloutRefusedError(`${name} has a rollout in progress (${running.id}, stage ${running.stage + 1} of ${running.stages.length})`);
    const current = await this.configStore.getCurrent(request.layer);
    if (!current) throw new RolloutRefusedError(`${name} has no current version to roll out from: write its first version with put`);
    const { written } = await this.configStore.putVersion(request.layer, request.document, {
      expectedVersion: current.version,
      author: request.author,
      ...(request.message ? { message: request.message } : {}),
    });
    const rollout = startRollout(
      {
        id: `${name}@${written.version}`,
        layer: request.layer,
        fromVersion: current.version,
        fromUpdatedAt: current.updatedAt,
        toVersion: written.version,
        toDocument: written.document,
        stages: request.stages,
        bakeMs: request.bakeMs,
        startedBy: request.author,
      },
    );
    try {
      await this.documentClient.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...rolloutAttributes(rollout), ...keyOf(request.layer) },
          ConditionExpression: 'attribute_not_exists(pk) OR #state IN (:done, :rolledBack)',
          ExpressionAttributeNames: { '#state': 'state' },
          ExpressionAttributeValues: { ':done': 'done', ':rolledBack': 'rolled-back' },
        }),
        withinDeadline(),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) throw new RolloutRefusedError(`${name} has a rollout in progress, started meanwhile`);
      throw error;
    }
    return rollout;
  }

  async get(layer: LayerId): Promise<Rollout | undefined> {
    const { Item } = await this.documentClient.send(
      new GetCommand({ TableName: this.tableName, Key: keyOf(layer), ConsistentRead: true }),
      withinDeadline(),
    );
    return Item ? rolloutOfItem(Item) : undefined;
  }

  /** One Query of the rollouts partition (a few hundred layers at most): what a driver does once a minute. */
  async listRolling(): Promise<Rollout[]> {
    const rollouts: Rollout[] = [];
    const pages = paginateQuery(
      { client: this.documentClient },
      {
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :rollouts',
        FilterExpression: '#state IN (:rolling, :completing)',
        ExpressionAttributeNames: { '#state': 'state' },
        ExpressionAttributeValues: { ':rollouts': ROLLOUTS, ':rolling': 'rolling', ':completing': 'completing' },
        ConsistentRead: true,
      },
    );
    for await (const page of pages) rollouts.push(...(page.Items ?? []).map(rolloutOfItem));
    return rollouts;
  }

  async save(next: Rollout): Promise<boolean> {
    try {
      await this.documentClient.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...rolloutAttributes(next), ...keyOf(next.layer) },
          ConditionExpression: '#id = :id AND #revision = :read',
          ExpressionAttributeNames: { '#id': 'id', '#revision': 'revision' },
          ExpressionAttributeValues: { ':id': next.id, ':read': next.revision - 1 },
        }),
        withinDeadline(),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  async pointerOf(rollout: Rollout): Promise<LayerPointer | undefined> {
    const current = await this.configStore.getCurrent(rollout.layer);
    return current && { version: current.version, updatedAt: current.updatedAt, updatedBy: current.updatedBy };
  }

  async movePointer(rollout: Rollout, from: number, to: number): Promise<'moved' | 'layer-changed' | 'invalid'> {
    const message = to === rollout.toVersion ? `staged rollout ${rollout.id} completed` : `staged rollout ${rollout.id} rolled back`;
    try {
      await this.configStore.rollback(rollout.layer, to, { expectedVersion: from, author: rolloutAuthor(rollout), message }, 'rollout');
      return 'moved';
    } catch (error) {
      if (error instanceof InvalidConfigError) return 'invalid';
      if (error instanceof ConfigConflictError) return 'layer-changed';
      throw error;
    }
  }
}
