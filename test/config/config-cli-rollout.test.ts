import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { EXIT, runConfigCli } from '../../scripts/config/cli.js';
import { DynamoDbConfigStore } from '../../shared/adapters/dynamodb-config-store.js';
import { DynamoDbRolloutStore } from '../../shared/adapters/dynamodb-rollout-store.js';
import { advanceRollouts } from '../../shared/use-cases/advance-rollouts.js';
import { createConfigTable, type CountingDynalite, startDynalite, testClients } from './support/dynamodb.js';
import { COMPLETE_DEFAULT } from './support/config-store-contract.js';

let dynalite: CountingDynalite;
let clients: ReturnType<typeof testClients>;
let tableName: string;

beforeAll(async () => {
  dynalite = await startDynalite();
  clients = testClients(dynalite.url);
});
afterAll(async () => {
  clients?.client.destroy();
  await dynalite?.stop();
});
beforeEach(async () => {
  tableName = `config-${randomUUID()}`;
  await createConfigTable(clients.client, tableName);
});

const EU_V1 = JSON.stringify({ features: { strongCustomerAuthentication: true } });
const EU_V2 = JSON.stringify({ features: { strongCustomerAuthentication: true, savedCards: true } });

/** Runs the CLI in-process with a fake terminal, against the test's table. */
async function cli(argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const files: Record<string, string> = { 'default.json': JSON.stringify(COMPLETE_DEFAULT), 'eu1.json': EU_V1, 'eu2.json': EU_V2 };
  const code = await runConfigCli(argv, {
    env: { AWS_ENDPOINT_URL_DYNAMODB: dynalite.url, CONFIG_TABLE_NAME: tableName },
    stdout: (text) => out.push(text),
    stderr: (text) => err.push(text),
    readFile: async (path) => files[path] ?? Promise.reject(new Error(`ENOENT: ${path}`)),
    writeFile: async () => undefined,
    userName: () => 'tester',
  });
  return { code, stdout: out.join('\n'), stderr: err.join('\n') };
}

describe('npm run config -- rollout', () => {
  beforeEach(async () => {
    expect((await cli(['put', 'EU', '--file', 'eu1.json'])).code).toBe(EXIT.ok);
  });

  it('starts a rollout without moving the pointer, and history shows its stages', async () => {
    const started = await cli(['rollout', 'EU', '--file', 'eu2.json', '--stages', 'DE; FR,IT; *', '--bake', '10m']);
    expect(started).toMatchObject({ code: EXIT.ok });
    expect(started.stdout).toContain('Rollout group:EU@2 started: group:EU version 2 reaches DE now (stage 1 of 3); every other country stays on version 1.');
    const history = await cli(['history', 'EU']);
    expect(history.stdout).toMatch(/\* 1\s/);
    expect(history.stdout).toContain('Rollout group:EU@2 from version 1 by tester: rolling');
    expect(history.stdout).toMatch(/1\/3\s+DE\s+-\s+exposed, bake starts at the driver's next run/);
    const germany = JSON.parse((await cli(['get', 'DE', '--effective', '--json'])).stdout);
    const austria = JSON.parse((await cli(['get', 'AT', '--effective', '--json'])).stdout);
    expect([germany.version, austria.version]).toEqual(['built-in,group:EU@2', 'built-in,group:EU@1']);
  });

  it.each([
    [['--stages', 'JP; *', '--bake', '10m'], 'JP is not a country of group:EU'],
    [['--stages', '*; DE', '--bake', '10m'], '"*" (every remaining country) must be the last stage'],
  ])('refuses stages %j (exit 1), writing nothing', async (options, message) => {
    const refused = await cli(['rollout', 'EU', '--file', 'eu2.json', ...options]);
    expect(refused.code).toBe(EXIT.refused);
    expect(refused.stderr).toContain(message);
    expect((await cli(['history', 'EU'])).stdout).not.toContain('Rollout');
    expect((await cli(['history', 'EU'])).stdout).not.toMatch(/^\s+2\s/m);
  });

  it('says which version every country is on when a put made during the rollout stopped it', async () => {
    expect((await cli(['rollout', 'EU', '--file', 'eu2.json', '--stages', 'DE; *', '--bake', '10m'])).code).toBe(EXIT.ok);
    expect((await cli(['put', 'EU', '--file', 'eu1.json'])).code).toBe(EXIT.ok);
    const configStore = new DynamoDbConfigStore(clients.documentClient, tableName);
    const store = new DynamoDbRolloutStore(clients.documentClient, tableName, configStore);
    expect(await advanceRollouts({ store, alarms: { firing: async () => [] }, now: () => new Date(), minBakeMs: 0 })).toMatchObject([{ step: 'roll-back', applied: true }]);
    const history = await cli(['history', 'EU']);
    expect(history.stdout).toContain('Rollout group:EU@2 from version 1 by tester: stopped (group:EU was changed during the rollout): every country is on the current version, 3');
    expect(history.stdout).not.toContain('every country is on version 1');
  });

  it('refuses a second rollout of a layer while one runs (exit 1)', async () => {
    expect((await cli(['rollout', 'EU', '--file', 'eu2.json', '--stages', 'DE; *', '--bake', '1h'])).code).toBe(EXIT.ok);
    const second = await cli(['rollout', 'EU', '--file', 'eu1.json', '--stages', 'FR', '--bake', '1h']);
    expect(second.code).toBe(EXIT.refused);
    expect(second.stderr).toContain('Refused: group:EU has a rollout in progress (group:EU@2, stage 1 of 2); nothing was written.');
  });

  it('asks for --stages and a readable --bake (exit 2)', async () => {
    for (const options of [['--bake', '10m'], ['--stages', 'DE'], ['--stages', 'DE', '--bake', 'ten minutes']]) {
      const { code, stderr } = await cli(['rollout', 'EU', '--file', 'eu2.json', ...options]);
      expect(code, options.join(' ')).toBe(EXIT.usage);
      expect(stderr).toContain('--help');
    }
  });

  it('needs a current version to roll out from: a first version is a put', async () => {
    const refused = await cli(['rollout', 'default', '--file', 'default.json', '--stages', '*', '--bake', '1m']);
    expect(refused.code).toBe(EXIT.refused);
    expect(refused.stderr).toContain('default has no current version to roll out from: write its first version with put');
  });
});
