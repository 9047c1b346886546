import { CloudWatchClient, SetAlarmStateCommand } from '@aws-sdk/client-cloudwatch';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createConfigRolloutHandler } from '../../functions/config-rollout/create-handler.js';
import { configRolloutEnvSchema } from '../../functions/config-rollout/env.js';
import { startCloudWatchServer, type RunningCloudWatchServer } from '../../local/cloudwatch-server.js';
import { versionSortKey } from '../../shared/adapters/dynamodb-config-store.js';
import { DynamoDbRolloutStore } from '../../shared/adapters/dynamodb-rollout-store.js';
import { parseLayerName, type LayerId } from '../../shared/domain/config/layers.js';
import { parseRolloutStages, type Rollout } from '../../shared/domain/config/rollout.js';
import { advanceRollouts } from '../../shared/use-cases/advance-rollouts.js';
import { parseEnv } from '../../shared/lambda-env/parse-env.js';
import { startSeededConfigStore, TEST_CREDENTIALS, TEST_REGION } from './support/dynamodb.js';
import { type ConfigReply, loadConfigHandler } from './support/handler.js';
import { type ConfigKms, startConfigKms } from './support/kms.js';

const ALARM = 'config-errors';
const EU = parseLayerName('EU') as LayerId;
const BAKE_MS = 10 * 60_000;
const EU_V2 = { features: { strongCustomerAuthentication: true }, legal: { privacyUrl: 'https://signed-pay.example/legal/eu/privacy-v2' } };
const EU_COUNTRIES_OUTSIDE_STAGES_1_2 = ['AT', 'ES', 'PL', 'SE', 'NL'];

let seeded: Awaited<ReturnType<typeof startSeededConfigStore>>;
let kms: ConfigKms;
let cloudwatch: RunningCloudWatchServer;
let getConfig: (request: { query?: Record<string, string> }) => Promise<ConfigReply>;
let rollouts: DynamoDbRolloutStore;
let clock: Date;

beforeAll(async () => {
  kms = await startConfigKms();
  cloudwatch = await startCloudWatchServer({ alarmNames: [ALARM], port: 0 });
});
afterAll(async () => {
  await kms?.stop();
  await cloudwatch?.close();
});
// A fresh table per test: each starts from the seed, EU at version 1.
beforeEach(async () => {
  seeded = await startSeededConfigStore();
  clock = new Date('2026-12-01T09:00:00Z');
  rollouts = new DynamoDbRolloutStore(seeded.clients.documentClient, 'config', seeded.store);
  // No container cache: every answer shows what a new container would serve.
  getConfig = await loadConfigHandler({ dynamodbUrl: seeded.dynalite.url, kms, env: { CONFIG_CACHE_TTL_SECONDS: '0' } });
  await setAlarm('OK');
});
afterEach(() => seeded?.stop());

const clients = () => ({
  dynamodb: new DynamoDBClient({ endpoint: seeded.dynalite.url, region: TEST_REGION, credentials: TEST_CREDENTIALS }),
  cloudwatch: new CloudWatchClient({ endpoint: cloudwatch.url, region: TEST_REGION, credentials: TEST_CREDENTIALS }),
  now: () => clock,
});
/** The Lambda the schedule invokes, with the test's clock: a new container each time, as after a crash. */
const driver = (env: Record<string, string> = { ROLLOUT_MIN_BAKE_SECONDS: '0' }) =>
  createConfigRolloutHandler(parseEnv(configRolloutEnvSchema, { CONFIG_TABLE_NAME: 'config', ROLLOUT_ALARM_NAMES: ALARM, ...env }), clients());

async function setAlarm(state: 'OK' | 'ALARM'): Promise<void> {
  await clients().cloudwatch.send(new SetAlarmStateCommand({ AlarmName: ALARM, StateValue: state, StateReason: 'test' }));
}

/** The version of group:EU in a country's answer; null for a country outside the EU. */
async function euVersionSeenBy(country: string): Promise<number | null> {
  const reply = await getConfig({ query: { country } });
  expect(reply.statusCode).toBe(200);
  const match = /group:EU@(\d+)/.exec(reply.json.version);
  return match ? Number(match[1]) : null;
}

async function versionsSeen(countries: readonly string[]): Promise<Record<string, number | null>> {
  return Object.fromEntries(await Promise.all(countries.map(async (country) => [country, await euVersionSeenBy(country)] as const)));
}

/** A rollout started as the CLI starts it, then the driver's first pass, which starts its first stage's bake. */
async function begin(request: Parameters<DynamoDbRolloutStore['start']>[0]): Promise<Rollout> {
  await rollouts.start(request);
  await driver()({});
  return (await rollouts.get(request.layer))!;
}

const bake = () => {
  clock = new Date(clock.getTime() + BAKE_MS);
};

describe('a staged rollout of group:EU, driven by the scheduled function', () => {
  it('rolls back on its own when the watched alarm fires in stage 2; stage 3 never saw the new version', async () => {
    const rollout = await begin({ layer: EU, document: EU_V2, stages: parseRolloutStages(EU, 'DE; FR,IT; *'), bakeMs: BAKE_MS, author: 'test' });
    expect(rollout).toMatchObject({ fromVersion: 1, toVersion: 2, state: 'rolling', stage: 0, stageStartedAt: clock.toISOString() });
    const seenByStage3: Array<number | null> = [];
    const watchStage3 = async () => seenByStage3.push(...Object.values(await versionsSeen(EU_COUNTRIES_OUTSIDE_STAGES_1_2)));

    // Stage 1: DE only.
    expect(await versionsSeen(['DE', 'FR', 'IT', 'US'])).toEqual({ DE: 2, FR: 1, IT: 1, US: null });
    await watchStage3();
    expect((await driver()({})).advanced).toBe(0); // not baked yet

    // Stage 2 after the bake: DE, FR, IT.
    bake();
    expect((await driver()({})).advances).toMatchObject([{ step: 'next-stage', applied: true }]);
    expect(await versionsSeen(['DE', 'FR', 'IT'])).toEqual({ DE: 2, FR: 2, IT: 2 });
    await watchStage3();

    // The alarm fires during stage 2: the next run rolls back, before the bake is over.
    await setAlarm('ALARM');
    const summary = await driver()({});
    expect(summary.advances).toEqual([{ rollout: rollout.id, layer: 'group:EU', step: 'roll-back', applied: true, reason: `alarm ${ALARM} in ALARM` }]);
    expect(await versionsSeen(['DE', 'FR', 'IT'])).toEqual({ DE: 1, FR: 1, IT: 1 });
    await watchStage3();
    expect(seenByStage3.every((version) => version === 1)).toBe(true);

    // The pointer never moved; the rollout says why it stopped, and later runs leave it alone.
    expect((await seeded.store.getCurrent(EU))?.version).toBe(1);
    bake();
    await setAlarm('OK');
    expect((await driver()({})).advanced).toBe(0);
    const stored = await rollouts.get(EU);
    expect(stored?.state).toBe('rolled-back');
    expect(stored?.log.map((stage) => [stage.countries.join(','), stage.stoppedBecause])).toEqual([
      ['DE', 'baked'],
      ['FR,IT', `alarm ${ALARM} in ALARM`],
    ]);
  });

  it('completes when every stage bakes without an alarm, and moves the pointer to the new version', async () => {
    await begin({ layer: EU, document: EU_V2, stages: parseRolloutStages(EU, 'DE; *'), bakeMs: BAKE_MS, author: 'test' });
    bake();
    expect((await driver()({})).advances).toMatchObject([{ step: 'next-stage' }]);
    expect(await versionsSeen(['DE', 'AT', 'SE'])).toEqual({ DE: 2, AT: 2, SE: 2 });
    bake();
    expect((await driver()({})).advances).toMatchObject([{ step: 'complete', applied: true }]);
    expect(await seeded.store.getCurrent(EU)).toMatchObject({ version: 2, action: 'rollout' });
    expect((await rollouts.get(EU))?.state).toBe('done');
    expect(await versionsSeen(['DE', 'AT', 'US'])).toEqual({ DE: 2, AT: 2, US: null });
  });

  it('converges when drivers run at once, or one crashed between moving the pointer and recording it', async () => {
    await begin({ layer: EU, document: EU_V2, stages: parseRolloutStages(EU, 'DE; *'), bakeMs: BAKE_MS, author: 'test' });
    bake();
    const racing = await Promise.all([driver()({}), driver()({}), driver()({})]);
    expect(racing.flatMap((run) => run.advances).filter((advance) => advance.applied)).toHaveLength(1);
    expect((await rollouts.get(EU))?.stage).toBe(1);

    // A driver that crashed right after moving the pointer: the next one finds it moved and finishes.
    bake();
    const running = await rollouts.get(EU);
    const completing = { ...running!, state: 'completing' as const, revision: running!.revision + 1 };
    expect(await rollouts.save(completing)).toBe(true);
    expect(await rollouts.movePointer(completing, 1, 2)).toBe('moved');
    expect((await driver()({})).advances).toMatchObject([{ step: 'done', applied: true }]);
    expect((await rollouts.get(EU))?.state).toBe('done');
    expect((await seeded.store.getCurrent(EU))?.version).toBe(2);
  });

  it('leaves every country on the old version when one driver rolls back while another, which read the rollout before, would complete it', async () => {
    await begin({ layer: EU, document: EU_V2, stages: parseRolloutStages(EU, '*'), bakeMs: BAKE_MS, author: 'test' });
    bake();
    const readBeforeTheAlarm = (await rollouts.get(EU))!;
    await setAlarm('ALARM');
    expect((await driver()({})).advances).toMatchObject([{ step: 'roll-back', applied: true }]);
    // The slower driver read the rollout still rolling, and no alarm.
    const slower = await advanceRollouts({
      store: { listRolling: async () => [readBeforeTheAlarm], save: (next) => rollouts.save(next), pointerOf: (r) => rollouts.pointerOf(r), movePointer: (r, from, to) => rollouts.movePointer(r, from, to) },
      alarms: { firing: async () => [] },
      now: () => clock,
      minBakeMs: 0,
    });
    expect(slower).toMatchObject([{ step: 'complete', applied: false }]);
    expect((await seeded.store.getCurrent(EU))?.version).toBe(1);
    expect(await rollouts.get(EU)).toMatchObject({ state: 'rolled-back', stoppedBecause: `alarm ${ALARM} in ALARM` });
    expect(await versionsSeen(['DE', 'AT'])).toEqual({ DE: 1, AT: 1 });
  });

  it('moves the pointer back when an alarm fires after a crashed completion had moved it', async () => {
    const rollout = await begin({ layer: EU, document: EU_V2, stages: parseRolloutStages(EU, '*'), bakeMs: BAKE_MS, author: 'test' });
    const completing = { ...rollout, state: 'completing' as const, revision: rollout.revision + 1 };
    expect(await rollouts.save(completing)).toBe(true);
    expect(await rollouts.movePointer(completing, 1, 2)).toBe('moved');
    await setAlarm('ALARM');
    expect((await driver()({})).advances).toMatchObject([{ step: 'roll-back', applied: true }]);
    expect((await seeded.store.getCurrent(EU))?.version).toBe(1);
    expect((await rollouts.get(EU))?.state).toBe('rolled-back');
    expect(await versionsSeen(['DE', 'AT'])).toEqual({ DE: 1, AT: 1 });
  });

  it('never promotes over an operator who moved the pointer back after a crashed completion', async () => {
    const rollout = await begin({ layer: EU, document: EU_V2, stages: parseRolloutStages(EU, '*'), bakeMs: BAKE_MS, author: 'test' });
    const completing = { ...rollout, state: 'completing' as const, revision: rollout.revision + 1 };
    expect(await rollouts.save(completing)).toBe(true);
    expect(await rollouts.movePointer(completing, 1, 2)).toBe('moved');
    clock = new Date(clock.getTime() + 60_000);
    await seeded.store.rollback(EU, 1, { expectedVersion: 2, author: 'operator' });
    bake();
    expect((await driver()({})).advances).toMatchObject([{ step: 'roll-back', reason: 'group:EU was changed during the rollout' }]);
    expect((await seeded.store.getCurrent(EU))?.version).toBe(1);
    expect((await driver()({})).advanced).toBe(0);
    expect((await seeded.store.getCurrent(EU))?.version).toBe(1);
  });

  it('rolls back with a reason, instead of failing every run, when the new version no longer validates', async () => {
    await begin({ layer: EU, document: EU_V2, stages: parseRolloutStages(EU, '*'), bakeMs: BAKE_MS, author: 'test' });
    // The rules moved on (or the item was edited by hand): version 2 can never become current.
    await seeded.clients.documentClient.send(
      new UpdateCommand({ TableName: 'config', Key: { pk: 'LAYER#GROUP#EU', sk: versionSortKey(2) }, UpdateExpression: 'SET #document = :invalid', ExpressionAttributeNames: { '#document': 'document' }, ExpressionAttributeValues: { ':invalid': { notAField: true } } }),
    );
    bake();
    expect((await driver()({})).advances).toMatchObject([{ step: 'roll-back', applied: true, reason: 'version 2 of group:EU no longer validates' }]);
    expect((await seeded.store.getCurrent(EU))?.version).toBe(1);
    expect(await rollouts.get(EU)).toMatchObject({ state: 'rolled-back', stoppedBecause: 'version 2 of group:EU no longer validates' });
  });

  it('refuses a second rollout of a layer while one runs, and leaves the first as it was', async () => {
    await begin({ layer: EU, document: EU_V2, stages: parseRolloutStages(EU, 'DE; *'), bakeMs: BAKE_MS, author: 'test' });
    await expect(rollouts.start({ layer: EU, document: EU_V2, stages: parseRolloutStages(EU, 'FR'), bakeMs: BAKE_MS, author: 'test' })).rejects.toThrow(/rollout in progress/);
    expect(await rollouts.get(EU)).toMatchObject({ toVersion: 2, stage: 0, state: 'rolling' });
  });

  it('lets a put made during the rollout reach the countries already exposed, and stops the rollout on the next run', async () => {
    await begin({ layer: EU, document: EU_V2, stages: parseRolloutStages(EU, 'DE; *'), bakeMs: BAKE_MS, author: 'test' });
    expect(await versionsSeen(['DE', 'AT'])).toEqual({ DE: 2, AT: 1 });
    await seeded.store.put(EU, EU_V2, { author: 'someone else' });
    expect(await versionsSeen(['DE', 'AT'])).toEqual({ DE: 3, AT: 3 });
    expect((await driver()({})).advances).toMatchObject([{ step: 'roll-back', reason: 'group:EU was changed during the rollout' }]);
    expect(await seeded.store.getCurrent(EU)).toMatchObject({ version: 3, action: 'put' });
    expect(await versionsSeen(['DE', 'AT'])).toEqual({ DE: 3, AT: 3 });
  });

  it('lets a rollback made during the rollout reach the countries already exposed', async () => {
    await seeded.store.put(EU, EU_V2, { author: 'test' });
    await begin({ layer: EU, document: { ...EU_V2, features: { strongCustomerAuthentication: false } }, stages: parseRolloutStages(EU, 'DE; *'), bakeMs: BAKE_MS, author: 'test' });
    expect(await versionsSeen(['DE', 'AT'])).toEqual({ DE: 3, AT: 2 });
    await seeded.store.rollback(EU, 1, { author: 'operator' });
    expect(await versionsSeen(['DE', 'AT'])).toEqual({ DE: 1, AT: 1 });
    expect((await driver()({})).advances).toMatchObject([{ step: 'roll-back', reason: 'group:EU was changed during the rollout' }]);
  });
});

describe('a rollout that cannot advance', () => {
  it('does not hold up the others: they advance, and the run fails so that the next one tries again', async () => {
    const DE = parseLayerName('DE') as LayerId;
    await begin({ layer: EU, document: EU_V2, stages: parseRolloutStages(EU, '*'), bakeMs: BAKE_MS, author: 'test' });
    await begin({ layer: DE, document: (await seeded.store.getCurrent(DE))!.document, stages: parseRolloutStages(DE, 'DE'), bakeMs: BAKE_MS, author: 'test' });
    // EU's new version is gone (deleted by hand): it can never become current.
    await seeded.clients.documentClient.send(new DeleteCommand({ TableName: 'config', Key: { pk: 'LAYER#GROUP#EU', sk: versionSortKey(2) } }));
    bake();
    await expect(driver()({})).rejects.toThrow('1 of 2 running rollouts could not advance');
    expect((await rollouts.get(DE))?.state).toBe('done');
    expect((await rollouts.get(EU))?.state).toBe('completing');
  });
});

describe('the first stage of a rollout', () => {
  it('bakes from the driver\'s first pass, not from the clock of the laptop that started it', async () => {
    const driverClock = clock;
    clock = new Date(clock.getTime() - 60 * 60_000); // the operator's laptop, an hour behind
    const written = await rollouts.start({ layer: EU, document: EU_V2, stages: parseRolloutStages(EU, 'DE; *'), bakeMs: BAKE_MS, author: 'test' });
    expect(written.stageStartedAt).toBeUndefined();
    expect(await euVersionSeenBy('DE')).toBe(2);
    clock = driverClock;
    expect((await driver()({})).advances).toMatchObject([{ step: 'start', applied: true }]);
    expect((await rollouts.get(EU))?.stageStartedAt).toBe(driverClock.toISOString());
    clock = new Date(driverClock.getTime() + BAKE_MS - 60_000);
    expect((await driver()({})).advanced).toBe(0);
    bake();
    expect((await driver()({})).advances).toMatchObject([{ step: 'next-stage', applied: true }]);
  });
});

describe('the minimum bake', () => {
  it('keeps a stage baking for 15 minutes by default, however short the bake the rollout asked for', async () => {
    await begin({ layer: EU, document: EU_V2, stages: parseRolloutStages(EU, 'DE; *'), bakeMs: 60_000, author: 'test' });
    const onAws = driver({});
    clock = new Date(clock.getTime() + 14 * 60_000);
    expect((await onAws({})).advanced).toBe(0);
    clock = new Date(clock.getTime() + 60_000);
    expect((await onAws({})).advances).toMatchObject([{ step: 'next-stage', applied: true }]);
  });

  it('reads ROLLOUT_MIN_BAKE_SECONDS as whole seconds, 900 when unset', () => {
    expect(parseEnv(configRolloutEnvSchema, { CONFIG_TABLE_NAME: 'config' }).ROLLOUT_MIN_BAKE_SECONDS).toBe(900);
    expect(parseEnv(configRolloutEnvSchema, { CONFIG_TABLE_NAME: 'config', ROLLOUT_MIN_BAKE_SECONDS: '0' }).ROLLOUT_MIN_BAKE_SECONDS).toBe(0);
    expect(() => parseEnv(configRolloutEnvSchema, { CONFIG_TABLE_NAME: 'config', ROLLOUT_MIN_BAKE_SECONDS: '1.5' })).toThrow(/ROLLOUT_MIN_BAKE_SECONDS/);
  });
});

describe('the rollout driver environment contract', () => {
  it('reads ROLLOUT_ALARM_NAMES as comma-separated names, empty as none', () => {
    expect(parseEnv(configRolloutEnvSchema, { CONFIG_TABLE_NAME: 'config', ROLLOUT_ALARM_NAMES: ' a, b,,c ' }).ROLLOUT_ALARM_NAMES).toEqual(['a', 'b', 'c']);
    expect(parseEnv(configRolloutEnvSchema, { CONFIG_TABLE_NAME: 'config', ROLLOUT_ALARM_NAMES: '' }).ROLLOUT_ALARM_NAMES).toEqual([]);
    expect(parseEnv(configRolloutEnvSchema, { CONFIG_TABLE_NAME: 'config' }).ROLLOUT_ALARM_NAMES).toEqual([]);
  });

  it('fails the cold start without CONFIG_TABLE_NAME', () => {
    expect(() => parseEnv(configRolloutEnvSchema, { ROLLOUT_ALARM_NAMES: 'a' })).toThrow(/CONFIG_TABLE_NAME/);
  });
});
