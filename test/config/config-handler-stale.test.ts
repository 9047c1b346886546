import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbConfigStore } from '../../shared/adapters/dynamodb-config-store.js';
import { BUILT_IN_CONFIG } from '../../shared/domain/config/merge.js';
import { seedConfigLayers } from '../../local/seed-config.js';
import { createConfigTable, type CountingDynalite, startDynalite, testClients } from './support/dynamodb.js';
import { cacheDirectives, claimsOf, loadConfigHandler } from './support/handler.js';
import { type ConfigKms, startConfigKms } from './support/kms.js';

// One file of its own: these tests stop DynamoDB for good.
let dynalite: CountingDynalite;
let clients: ReturnType<typeof testClients>;
let kms: ConfigKms;

beforeAll(async () => {
  kms = await startConfigKms();
  dynalite = await startDynalite();
  clients = testClients(dynalite.url);
  await createConfigTable(clients.client, 'config');
  await seedConfigLayers(new DynamoDbConfigStore(clients.documentClient, 'config'));
});
afterAll(async () => {
  clients?.client.destroy();
  await dynalite?.stop();
  await kms?.stop();
});

describe('GET /v1/config when DynamoDB fails (stale-if-error)', () => {
  it('serves the last good version of a layer whose stored item turned invalid, and says so', async () => {
    const getConfig = await loadConfigHandler({ dynamodbUrl: dynalite.url, kms, env: { CONFIG_CACHE_TTL_SECONDS: '0' } });
    const fresh = await getConfig({ query: { country: 'JP' } });
    await clients.documentClient.send(
      new PutCommand({ TableName: 'config', Item: { pk: 'LAYER#COUNTRY#JP', sk: 'CURRENT', version: 9, document: { currency: 'JPYEN' } } }),
    );
    const stale = await getConfig({ query: { country: 'JP' } });
    expect(stale.statusCode).toBe(200);
    expect(stale.headers['x-config-stale']).toBe('true');
    expect(stale.json).toEqual(fresh.json);

    // A container that never saw the good version serves the newest valid older one from the
    // table (Japan's version 1), marked stale: every container the same, none of them USD.
    const newContainer = await loadConfigHandler({ dynamodbUrl: dynalite.url, kms });
    const japan = await newContainer({ query: { country: 'JP' } });
    expect(japan.statusCode).toBe(200);
    expect(japan.headers['x-config-stale']).toBe('true');
    expect(japan.json).toMatchObject({ country: 'JP', version: expect.stringContaining('country:JP@1'), config: { currency: 'JPY' } });

    // A layer with no valid version at all would leave Brazil with the default: 503 instead.
    await clients.documentClient.send(
      new PutCommand({ TableName: 'config', Item: { pk: 'LAYER#COUNTRY#BR', sk: 'CURRENT', version: 1, document: { currency: 'BRLX' } } }),
    );
    const brazil = await newContainer({ query: { country: 'BR' } });
    expect(brazil.statusCode).toBe(503);
    expect(brazil.json).toMatchObject({ type: '/problems/config-unavailable' });
    // Countries whose layers are all valid are served as ever.
    expect((await newContainer({ query: { country: 'DE' } })).statusCode).toBe(200);
  });

  it('serves the last configuration it read with DynamoDB stopped, marked stale and not fresh for caches', async () => {
    const getConfig = await loadConfigHandler({ dynamodbUrl: dynalite.url, kms, env: { CONFIG_CACHE_TTL_SECONDS: '0' } });
    const fresh = await getConfig({ query: { country: 'DE' } });
    expect(fresh.headers['x-config-stale']).toBeUndefined();

    await dynalite.stop();
    const stale = await getConfig({ query: { country: 'DE' } });
    expect(stale.statusCode).toBe(200);
    expect(stale.headers['x-config-stale']).toBe('true');
    expect(stale.json).toEqual(fresh.json);
    expect(stale.headers.etag).toBe(fresh.headers.etag);
    // Never fresh; still usable by caches, though never past the signature's exp.
    const secondsLeft = claimsOf(stale.json.signature).exp - Math.floor(Date.now() / 1000);
    const directives = cacheDirectives(stale.headers['cache-control']);
    expect({ ...directives, 'stale-if-error': 0 }).toEqual({ public: true, 'max-age': 0, 'stale-while-revalidate': 300, 'stale-if-error': 0 });
    expect(directives['stale-if-error']).toBeLessThanOrEqual(secondsLeft + 1);
    expect(directives['stale-if-error']).toBeGreaterThanOrEqual(secondsLeft - 5);

    // Conditional requests keep working, and keep saying the answer is stale.
    const notModified = await getConfig({ query: { country: 'DE' }, headers: { 'if-none-match': fresh.headers.etag! } });
    expect(notModified.statusCode).toBe(304);
    expect(notModified.headers['x-config-stale']).toBe('true');

    // France was never read: it shares default, EU and EUROZONE with Germany, but its own layer
    // (fr-FR, French legal texts) is unknown, so the answer would be wrong for France: 503.
    const france = await getConfig({ query: { country: 'FR' } });
    expect(france.statusCode).toBe(503);
    expect(france.headers['retry-after']).toBe('2');
    expect(france.json).toMatchObject({ type: '/problems/config-unavailable', status: 503 });
  });

  it('answers a fresh container that never read anything with 503 config-unavailable, never the built-in default', async () => {
    const getConfig = await loadConfigHandler({ dynamodbUrl: dynalite.url, kms });
    const reply = await getConfig({ headers: { 'accept-language': 'pt-BR' } });
    expect(reply.statusCode).toBe(503);
    expect(reply.headers['retry-after']).toBe('2');
    expect(reply.json).toMatchObject({ type: '/problems/config-unavailable' });
    expect(reply.body).not.toContain(BUILT_IN_CONFIG.currency);
  });
});
