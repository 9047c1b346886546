import { randomUUID } from 'node:crypto';
import { PutCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DynamoDbConfigStore, partitionKeyOf, versionSortKey } from '../../../shared/adapters/dynamodb-config-store.js';
import { ConfigConflictError, ConfigVersionNotFoundError, InvalidConfigError } from '../../../shared/domain/config/errors.js';
import { layerName, parseLayerName } from '../../../shared/domain/config/layers.js';
import { createConfigTable, testClients } from './dynamodb.js';

const layer = (name: string) => parseLayerName(name)!;
const DEFAULT = layer('default');
const DE = layer('DE');
const author = 'test';

export const COMPLETE_DEFAULT = {
  currency: 'USD',
  locale: 'en-US',
  paymentMethods: ['card'],
  features: { savedCards: true },
  legal: { termsUrl: 'https://example.com/terms', privacyUrl: 'https://example.com/privacy' },
};

/**
 * The behaviour the config store promises, run against any DynamoDB implementation: dynalite
 * here, moto_server as a second, independent one. Each test gets a table of its own.
 */
export function describeConfigStoreContract(backend: () => { url: string }) {
  let clients: ReturnType<typeof testClients>;
  let tableName: string;
  let store: DynamoDbConfigStore;

  beforeAll(() => {
    clients = testClients(backend().url);
  });
  afterAll(() => clients?.client.destroy());
  beforeEach(async () => {
    tableName = `config-${randomUUID()}`;
    await createConfigTable(clients.client, tableName);
    store = new DynamoDbConfigStore(clients.documentClient, tableName);
  });

  /**
   * A store whose client, right after its first `commandName` request succeeds, waits for
   * `overtake` to finish: a deterministic interleaving of two writers. Only the SDK client is
   * intercepted, not the store.
   */
  function storeOvertakenAfter(commandName: string, overtake: () => Promise<unknown>): DynamoDbConfigStore {
    const slow = testClients(backend().url);
    let overtaken = false;
    slow.client.middlewareStack.add(
      (next, context) => async (args) => {
        const result = await next(args);
        if (!overtaken && context.commandName === commandName) {
          overtaken = true;
          await overtake();
        }
        return result;
      },
      { step: 'initialize', name: 'overtakeOnce' },
    );
    return new DynamoDbConfigStore(slow.documentClient, tableName);
  }

  async function allItems() {
    return (await clients.documentClient.send(new ScanCommand({ TableName: tableName }))).Items ?? [];
  }

  describe('versions', () => {
    it('writes version 1 of a new layer and makes it current', async () => {
      const current = await store.put(DE, { locale: 'de-de' }, { author, message: 'first' });
      expect(current).toMatchObject({ version: 1, document: { locale: 'de-DE' }, updatedBy: author, action: 'put', message: 'first' });
      expect(await store.getCurrent(DE)).toEqual(current);
      expect(await store.readCurrent([DE])).toEqual({ layers: [current], invalid: [] });
    });

    it('keeps every version and answers history newest first', async () => {
      await store.put(DE, { locale: 'de-DE' }, { author });
      await store.put(DE, { locale: 'de-AT' }, { author, expectedVersion: 1 });
      await store.put(DE, { locale: 'de-CH' }, { author, expectedVersion: 2 });
      const history = await store.history(DE);
      expect(history.map((version) => [version.version, version.document.locale])).toEqual([
        [3, 'de-CH'],
        [2, 'de-AT'],
        [1, 'de-DE'],
      ]);
      expect((await store.history(DE, { limit: 2 })).map((version) => version.version)).toEqual([3, 2]);
      expect((await store.getVersion(DE, 2))?.document).toEqual({ locale: 'de-AT' });
      expect(await store.getVersion(DE, 9)).toBeUndefined();
    });

    it('reads several layers in the order asked, leaving out those without a version', async () => {
      await store.put(DE, { locale: 'de-DE' }, { author });
      await store.put(DEFAULT, COMPLETE_DEFAULT, { author });
      const found = await store.readCurrent([DEFAULT, layer('EU'), DE]);
      expect(found.layers.map((current) => layerName(current.layer))).toEqual(['default', 'country:DE']);
    });

    it('lists the current layers: default, groups, countries', async () => {
      await store.put(layer('FR'), {}, { author });
      await store.put(DE, {}, { author });
      await store.put(layer('EUROZONE'), { currency: 'EUR' }, { author });
      await store.put(DEFAULT, COMPLETE_DEFAULT, { author });
      expect((await store.listCurrent()).map((current) => layerName(current.layer))).toEqual(['default', 'group:EUROZONE', 'country:DE', 'country:FR']);
    });
  });

  describe('validation on write', () => {
    it('refuses an invalid document with every problem listed, and writes nothing', async () => {
      const error = await store.put(DE, { currency: 'XXX', locale: 'nope_NOPE', colour: 'red' }, { author }).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(InvalidConfigError);
      expect((error as InvalidConfigError).issues.map((issue) => issue.path).sort()).toEqual(['colour', 'currency', 'locale']);
      expect(await allItems()).toEqual([]);
    });

    it('refuses an incomplete default layer', async () => {
      await expect(store.put(DEFAULT, { currency: 'USD' }, { author })).rejects.toBeInstanceOf(InvalidConfigError);
      expect(await allItems()).toEqual([]);
    });

    it('never serves a stored item that does not validate (edited by hand), and still reads the others', async () => {
      await store.put(DEFAULT, COMPLETE_DEFAULT, { author });
      await clients.documentClient.send(
        new PutCommand({ TableName: tableName, Item: { pk: partitionKeyOf(DE), sk: 'CURRENT', version: 1, document: { currency: 'ECU' } } }),
      );
      const read = await store.readCurrent([DEFAULT, DE]);
      expect(read.layers.map((current) => layerName(current.layer))).toEqual(['default']);
      expect(read.invalid).toEqual([{ layer: DE, issues: [{ path: 'currency', message: expect.stringContaining('ISO 4217') }] }]);
      expect((await store.getCurrent(DE))?.document).toEqual({ currency: 'ECU' }); // operators still see it, to fix it
    });

    it('serves the newest valid older version in place of a current one that no longer validates', async () => {
      await store.put(DE, { locale: 'de-DE' }, { author });
      await store.put(DE, { locale: 'de-AT' }, { author });
      // Version 3 written around the CLI, invalid, and made current.
      for (const sk of ['V#0000000003', 'CURRENT']) {
        await clients.documentClient.send(
          new PutCommand({ TableName: tableName, Item: { pk: partitionKeyOf(DE), sk, version: 3, document: { currency: 'ECU' } } }),
        );
      }
      const read = await store.readCurrent([DE]);
      expect(read.layers).toEqual([expect.objectContaining({ version: 2, document: { locale: 'de-AT' } })]);
      expect(read.invalid).toEqual([{ layer: DE, issues: expect.any(Array), servedVersion: 2 }]);
    });
  });

  describe('concurrent editors', () => {
    it('lets one of two writers with the same base version win; the other gets a conflict', async () => {
      await store.put(DE, { locale: 'de-DE' }, { author });
      const outcomes = await Promise.allSettled([
        store.put(DE, { locale: 'de-AT' }, { author: 'alice', expectedVersion: 1 }),
        store.put(DE, { locale: 'de-CH' }, { author: 'bob', expectedVersion: 1 }),
      ]);
      const won = outcomes.filter((outcome) => outcome.status === 'fulfilled');
      const lost = outcomes.filter((outcome) => outcome.status === 'rejected');
      expect(won).toHaveLength(1);
      expect(lost).toHaveLength(1);
      expect(lost[0]!.reason).toBeInstanceOf(ConfigConflictError);
      expect(await store.getCurrent(DE)).toEqual(won[0]!.value);
    });

    it('lets exactly one of many racing writers win, round after round', async () => {
      await store.put(DE, { locale: 'de-DE' }, { author });
      for (let round = 0; round < 3; round += 1) {
        const base = (await store.getCurrent(DE))!.version;
        const outcomes = await Promise.allSettled(
          ['de-AT', 'de-CH', 'de-LU', 'de-LI', 'de-BE'].map((locale) => store.put(DE, { locale }, { author: locale, expectedVersion: base })),
        );
        const won = outcomes.filter((outcome) => outcome.status === 'fulfilled');
        expect(won).toHaveLength(1);
        for (const outcome of outcomes) if (outcome.status === 'rejected') expect(outcome.reason).toBeInstanceOf(ConfigConflictError);
        expect(await store.getCurrent(DE)).toEqual(won[0]!.value);
      }
    });

    it('refuses a writer overtaken after numbering its version: the number is taken', async () => {
      await store.put(DE, { locale: 'de-DE' }, { author });
      const slow = storeOvertakenAfter('QueryCommand', () => store.put(DE, { locale: 'de-CH' }, { author: 'fast', expectedVersion: 1 }));
      await expect(slow.put(DE, { locale: 'de-AT' }, { author: 'slow', expectedVersion: 1 })).rejects.toBeInstanceOf(ConfigConflictError);
      expect(await store.getCurrent(DE)).toMatchObject({ version: 2, document: { locale: 'de-CH' }, updatedBy: 'fast' });
      // Versions are immutable: the slow writer did not overwrite the one it lost.
      expect(await store.getVersion(DE, 2)).toMatchObject({ document: { locale: 'de-CH' }, createdBy: 'fast' });
    });

    it('refuses a writer overtaken between its version and its pointer: the pointer moved', async () => {
      await store.put(DE, { locale: 'de-DE' }, { author });
      const slow = storeOvertakenAfter('PutItemCommand', () => store.put(DE, { locale: 'de-CH' }, { author: 'fast', expectedVersion: 1 }));
      const error = await slow.put(DE, { locale: 'de-AT' }, { author: 'slow', expectedVersion: 1 }).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(ConfigConflictError);
      expect(error).toMatchObject({ expectedVersion: 1, currentVersion: 3 });
      expect(await store.getCurrent(DE)).toMatchObject({ version: 3, document: { locale: 'de-CH' }, updatedBy: 'fast' });
      // The slow writer's version stays behind as an orphan nobody points to.
      expect((await store.history(DE)).map((version) => [version.version, version.createdBy])).toEqual([
        [3, 'fast'],
        [2, 'slow'],
        [1, author],
      ]);
    });

    it('refuses a change based on an outdated version without writing a version', async () => {
      await store.put(DE, { locale: 'de-DE' }, { author });
      await store.put(DE, { locale: 'de-AT' }, { author, expectedVersion: 1 });
      const error = await store.put(DE, { locale: 'de-CH' }, { author, expectedVersion: 1 }).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(ConfigConflictError);
      expect(error).toMatchObject({ code: 'config-conflict', currentVersion: 2, expectedVersion: 1 });
      expect((await store.history(DE)).map((version) => version.version)).toEqual([2, 1]);
    });

    it('refuses to create a layer that another writer created first', async () => {
      await store.put(DE, { locale: 'de-DE' }, { author });
      await expect(store.put(DE, { locale: 'de-AT' }, { author, expectedVersion: null })).rejects.toBeInstanceOf(ConfigConflictError);
    });

    it('numbers past an orphan version left by a writer that crashed before moving the pointer', async () => {
      await store.put(DE, { locale: 'de-DE' }, { author });
      await clients.documentClient.send(
        new PutCommand({ TableName: tableName, Item: { pk: partitionKeyOf(DE), sk: versionSortKey(2), version: 2, document: { locale: 'fr-FR' } } }),
      );
      const current = await store.put(DE, { locale: 'de-AT' }, { author, expectedVersion: 1 });
      expect(current.version).toBe(3);
      expect((await store.readCurrent([DE])).layers[0]?.document).toEqual({ locale: 'de-AT' });
      expect((await store.history(DE)).map((version) => version.version)).toEqual([3, 2, 1]);
    });
  });

  describe('rollback', () => {
    it('moves the pointer back to an earlier version, keeping every version', async () => {
      await store.put(DE, { locale: 'de-DE' }, { author });
      await store.put(DE, { locale: 'de-AT' }, { author });
      const current = await store.rollback(DE, 1, { author: 'ops', message: 'de-AT was a mistake', expectedVersion: 2 });
      expect(current).toMatchObject({ version: 1, document: { locale: 'de-DE' }, action: 'rollback', updatedBy: 'ops' });
      expect((await store.readCurrent([DE])).layers).toEqual([current]);
      expect((await store.history(DE)).map((version) => version.version)).toEqual([2, 1]);
    });

    it('numbers the next write past every version after a rollback', async () => {
      await store.put(DE, { locale: 'de-DE' }, { author });
      await store.put(DE, { locale: 'de-AT' }, { author });
      await store.rollback(DE, 1, { author });
      expect((await store.put(DE, { locale: 'de-CH' }, { author, expectedVersion: 1 })).version).toBe(3);
    });

    it('refuses an unknown version, and a rollback based on an outdated version', async () => {
      await store.put(DE, { locale: 'de-DE' }, { author });
      await store.put(DE, { locale: 'de-AT' }, { author });
      await expect(store.rollback(DE, 7, { author })).rejects.toBeInstanceOf(ConfigVersionNotFoundError);
      await expect(store.rollback(DE, 1, { author, expectedVersion: 1 })).rejects.toBeInstanceOf(ConfigConflictError);
      expect((await store.getCurrent(DE))?.version).toBe(2);
    });

    it('refuses to bring back a version that today\'s rules reject', async () => {
      await clients.documentClient.send(
        new PutCommand({ TableName: tableName, Item: { pk: partitionKeyOf(layer('BG')), sk: versionSortKey(1), version: 1, document: { currency: 'BGN' } } }),
      );
      await store.put(layer('BG'), { locale: 'bg-BG' }, { author });
      await expect(store.rollback(layer('BG'), 1, { author })).rejects.toBeInstanceOf(InvalidConfigError);
      expect((await store.getCurrent(layer('BG')))?.version).toBe(2);
    });
  });
}
