import { randomUUID } from 'node:crypto';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbConfigStore } from '../../shared/adapters/dynamodb-config-store.js';
import { validateLayerDocument } from '../../shared/domain/config/config-document.js';
import { parseCountryCode } from '../../shared/domain/config/countries.js';
import { layerChainFor, layerName, parseLayerName } from '../../shared/domain/config/layers.js';
import { mergeLayers } from '../../shared/domain/config/merge.js';
import { CONFIG_SEED } from '../../local/seed/config-layers.js';
import { seedConfigIfEmpty } from '../../local/seed-config.js';
import { createConfigTable, type CountingDynalite, startDynalite, testClients } from './support/dynamodb.js';

describe('the seed configuration', () => {
  it('validates, layer by layer', () => {
    for (const { layer, document } of CONFIG_SEED) {
      const id = parseLayerName(layer);
      expect(id, layer).toBeDefined();
      expect(validateLayerDocument(id!, document), layer).toMatchObject({ ok: true });
    }
  });

  it('has the default, the EU and EUROZONE groups, and the launch countries', () => {
    const names = CONFIG_SEED.map(({ layer }) => layerName(parseLayerName(layer)!));
    expect(names).toEqual(expect.arrayContaining(['default', 'group:EU', 'group:EUROZONE', ...['US', 'GB', 'DE', 'FR', 'JP', 'CN', 'IN', 'BR'].map((c) => `country:${c}`)]));
    expect(new Set(names).size).toBe(names.length);
  });

  it('gives each launch country its real currency and locale', () => {
    const snapshots = new Map(CONFIG_SEED.map(({ layer, document }) => [layerName(parseLayerName(layer)!), { layer: parseLayerName(layer)!, version: 1, document }]));
    const configOf = (code: string) =>
      mergeLayers(layerChainFor(parseCountryCode(code)!).flatMap((layer) => snapshots.get(layerName(layer)) ?? [])).config;
    const expected = { US: ['USD', 'en-US'], GB: ['GBP', 'en-GB'], DE: ['EUR', 'de-DE'], FR: ['EUR', 'fr-FR'], JP: ['JPY', 'ja-JP'], CN: ['CNY', 'zh-CN'], IN: ['INR', 'en-IN'], BR: ['BRL', 'pt-BR'], BG: ['EUR', 'bg-BG'], PL: ['PLN', 'pl-PL'] };
    for (const [code, [currency, locale]] of Object.entries(expected)) expect(configOf(code), code).toMatchObject({ currency, locale });
  });
});

describe('seedConfigIfEmpty', () => {
  let dynalite: CountingDynalite;
  let clients: ReturnType<typeof testClients>;
  beforeAll(async () => {
    dynalite = await startDynalite();
    clients = testClients(dynalite.url);
  });
  afterAll(async () => {
    clients?.client.destroy();
    await dynalite?.stop();
  });

  async function freshTable() {
    const tableName = `config-${randomUUID()}`;
    await createConfigTable(clients.client, tableName);
    return { tableName, store: new DynamoDbConfigStore(clients.documentClient, tableName) };
  }
  const itemCount = async (tableName: string) => (await clients.documentClient.send(new ScanCommand({ TableName: tableName }))).Count;

  it('loads every seed layer as version 1 into an empty table', async () => {
    const { tableName, store } = await freshTable();
    await seedConfigIfEmpty({ dynamodb: clients.client, tableName });
    const current = await store.listCurrent();
    expect(current).toHaveLength(CONFIG_SEED.length);
    expect(current.every((layer) => layer.version === 1 && layer.updatedBy === 'seed')).toBe(true);
  });

  it('is idempotent: a second start writes nothing, not even orphan versions', async () => {
    const { tableName } = await freshTable();
    await seedConfigIfEmpty({ dynamodb: clients.client, tableName });
    const items = await itemCount(tableName);
    await seedConfigIfEmpty({ dynamodb: clients.client, tableName });
    expect(await itemCount(tableName)).toBe(items);
  });

  it('leaves layers an operator has written alone, and fills in the missing ones', async () => {
    const { tableName, store } = await freshTable();
    await store.put(parseLayerName('DE')!, { locale: 'de-AT' }, { author: 'ops' });
    await seedConfigIfEmpty({ dynamodb: clients.client, tableName });
    expect(await store.getCurrent(parseLayerName('DE')!)).toMatchObject({ version: 1, updatedBy: 'ops', document: { locale: 'de-AT' } });
    expect(await store.listCurrent()).toHaveLength(CONFIG_SEED.length);
  });
});
