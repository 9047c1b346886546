import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { EXIT, runConfigCli } from '../../scripts/config/cli.js';
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

/** Runs the CLI in-process with a fake terminal: files from `files`, nothing from the real environment. */
async function cli(argv: string[], options: { env?: Record<string, string | undefined>; files?: Record<string, string> } = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const files = options.files ?? {};
  const code = await runConfigCli(argv, {
    env: options.env ?? { AWS_ENDPOINT_URL_DYNAMODB: dynalite.url, CONFIG_TABLE_NAME: tableName },
    stdout: (text) => out.push(text),
    stderr: (text) => err.push(text),
    readFile: async (path) => {
      if (!(path in files)) throw new Error(`ENOENT: no such file, open '${path}'`);
      return files[path]!;
    },
    writeFile: async (path, text) => {
      if (path.startsWith('/read-only/')) throw new Error(`EACCES: permission denied, open '${path}'`);
      files[path] = text;
    },
    userName: () => 'tester',
  });
  return { code, stdout: out.join('\n'), stderr: err.join('\n') };
}

const json = (value: unknown) => JSON.stringify(value);

describe('npm run config: usage', () => {
  it('explains itself with --help', async () => {
    const { code, stdout } = await cli(['--help']);
    expect(code).toBe(EXIT.ok);
    for (const command of ['list', 'get', 'put', 'validate', 'history', 'rollback']) expect(stdout).toContain(command);
  });

  it('answers mistakes with exit code 2 and a hint', async () => {
    for (const argv of [[], ['publish'], ['get'], ['get', 'country:ZZ'], ['put', 'DE', '--colour', 'red'], ['list', '--to', '2'], ['history', 'DE', '--limit', '0'], ['list', 'DE']]) {
      const { code, stderr } = await cli(argv);
      expect(code, argv.join(' ')).toBe(EXIT.usage);
      expect(stderr, argv.join(' ')).toContain('--help');
    }
  });

  it('asks for a table when neither --table, CONFIG_TABLE_NAME nor a local endpoint says which', async () => {
    const { code, stderr } = await cli(['list'], { env: {} });
    expect(code).toBe(EXIT.usage);
    expect(stderr).toContain('CONFIG_TABLE_NAME');
  });
});

describe('npm run config -- validate', () => {
  it('shows a valid document as it would be stored, without touching AWS', async () => {
    const { code, stdout } = await cli(['validate', 'de', '--file', 'de.json'], { env: {}, files: { 'de.json': json({ locale: 'de-de' }) } });
    expect(code).toBe(EXIT.ok);
    expect(stdout).toContain('"locale": "de-DE"');
  });

  it('lists every problem of an invalid document and exits 1', async () => {
    const { code, stderr } = await cli(['validate', 'default', '--file', 'd.json'], { env: {}, files: { 'd.json': json({ currency: 'usd', colour: 'red' }) } });
    expect(code).toBe(EXIT.refused);
    for (const path of ['currency', 'locale', 'paymentMethods', 'features', 'legal', 'colour']) expect(stderr).toContain(`  - ${path}:`);
  });

  it('refuses a file that is not JSON, or is missing', async () => {
    expect((await cli(['validate', 'DE', '--file', 'x.json'], { env: {}, files: { 'x.json': '{ locale: de }' } })).code).toBe(EXIT.refused);
    expect((await cli(['validate', 'DE', '--file', 'missing.json'], { env: {} })).code).toBe(EXIT.refused);
  });
});

describe('npm run config against a DynamoDB endpoint', () => {
  it('puts, lists, gets, shows history and rolls back', async () => {
    const files = { 'default.json': json(COMPLETE_DEFAULT), 'de1.json': json({ locale: 'de-DE' }), 'de2.json': json({ locale: 'de-AT' }) };
    expect(await cli(['put', 'default', '--file', 'default.json'], { files })).toMatchObject({ code: 0, stdout: 'default is now at version 1.' });
    expect(await cli(['put', 'DE', '--file', 'de1.json', '--expect-version', 'none', '-m', 'launch'], { files })).toMatchObject({ code: 0 });
    expect(await cli(['put', 'country:de', '--file', 'de2.json', '--expect-version', '1', '--author', 'alice'], { files })).toMatchObject({
      code: 0,
      stdout: 'country:DE is now at version 2.',
    });

    const list = await cli(['list']);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/^LAYER\s+VERSION.*\ndefault\s+1\s.*tester.*\ncountry:DE\s+2\s.*alice/s);

    const get = await cli(['get', 'DE', '--json']);
    expect(JSON.parse(get.stdout)).toMatchObject({ layer: 'country:DE', version: 2, updatedBy: 'alice', document: { locale: 'de-AT' } });

    expect(await cli(['rollback', 'DE', '--to', '1', '--expect-version', '2', '-m', 'de-AT was wrong'])).toMatchObject({
      code: 0,
      stdout: 'country:DE is now at version 1 again.',
    });
    const history = await cli(['history', 'DE']);
    expect(history.stdout).toMatch(/\s2\s.*alice.*\n\*\s1\s.*tester\s+launch/s);
    expect(history.stdout).toContain('rolled back by tester');

    const effective = JSON.parse((await cli(['get', 'DE', '--effective', '--json'])).stdout);
    expect(effective).toMatchObject({ country: 'DE', version: 'default@1,country:DE@1', config: { locale: 'de-DE', currency: 'USD' } });
    expect(JSON.parse((await cli(['get', 'DE', '--version', '2', '--json'])).stdout)).toMatchObject({ version: 2, current: false });
  });

  it('refuses a change based on an outdated version (exit 1), writing nothing', async () => {
    const files = { 'de.json': json({ locale: 'de-DE' }) };
    await cli(['put', 'DE', '--file', 'de.json'], { files });
    await cli(['put', 'DE', '--file', 'de.json'], { files });
    const { code, stderr } = await cli(['put', 'DE', '--file', 'de.json', '--expect-version', '1'], { files });
    expect(code).toBe(EXIT.refused);
    expect(stderr).toContain('is at version 2');
    expect(JSON.parse((await cli(['history', 'DE', '--json'])).stdout)).toHaveLength(2);
  });

  it("takes back the file 'get --out' wrote, and refuses it once the layer has moved on", async () => {
    const files: Record<string, string> = { 'de.json': json({ locale: 'de-DE' }) };
    await cli(['put', 'DE', '--file', 'de.json'], { files });

    const written = await cli(['get', 'DE', '--out', 'edit.json', '--table', tableName], { files });
    expect(written).toMatchObject({ code: 0, stdout: expect.stringContaining(`put country:DE --table ${tableName} --file edit.json`) });
    expect(JSON.parse(files['edit.json']!)).toMatchObject({ layer: 'country:DE', version: 1, document: { locale: 'de-DE' } });

    const edited = JSON.parse(files['edit.json']!) as { document: Record<string, unknown> };
    edited.document.paymentMethods = ['card', 'klarna'];
    files['edit.json'] = json(edited);
    expect(await cli(['validate', 'DE', '--file', 'edit.json'], { env: {}, files })).toMatchObject({ code: 0 });
    expect(await cli(['put', 'DE', '--file', 'edit.json', '-m', 'Add Klarna'], { files })).toMatchObject({ code: 0, stdout: 'country:DE is now at version 2.' });

    // The file still says version 1: putting it again would overwrite version 2 unseen.
    expect(await cli(['put', 'DE', '--file', 'edit.json'], { files })).toMatchObject({ code: EXIT.refused, stderr: expect.stringContaining('is at version 2') });
    expect(await cli(['put', 'DE', '--file', 'edit.json', '--expect-version', '2'], { files })).toMatchObject({ code: 0 });
  });

  it("refuses a file 'get' wrote for another layer, and --out where nothing can be put back", async () => {
    const files: Record<string, string> = { 'de.json': json({ locale: 'de-DE' }) };
    await cli(['put', 'DE', '--file', 'de.json'], { files });
    await cli(['get', 'DE', '--out', 'edit.json'], { files });
    expect(await cli(['put', 'AT', '--file', 'edit.json'], { files })).toMatchObject({ code: EXIT.refused, stderr: expect.stringContaining('holds country:DE') });
    expect((await cli(['history', 'AT'])).stdout).toBe('country:AT has no versions.');
    expect(await cli(['get', 'DE', '--effective', '--out', 'x.json'], { files })).toMatchObject({ code: EXIT.usage });
    expect(await cli(['get', 'DE', '--version', '1', '--out', 'x.json'], { files })).toMatchObject({ code: EXIT.usage, stderr: expect.stringContaining('rollback country:DE --to 1') });
    expect(files).not.toHaveProperty('x.json');
    expect(await cli(['get', 'DE', '--out', '/read-only/x.json'], { files })).toMatchObject({ code: EXIT.refused, stderr: expect.stringContaining('Cannot write') });
  });

  it('refuses an invalid document with every problem, writing nothing', async () => {
    const { code, stderr } = await cli(['put', 'FR', '--file', 'fr.json'], { files: { 'fr.json': json({ currency: 'FRF', paymentMethods: ['cheque'] }) } });
    expect(code).toBe(EXIT.refused);
    expect(stderr).toContain('nothing was written');
    expect(stderr).toContain('  - currency:');
    expect(stderr).toContain('  - paymentMethods.0:');
    expect((await cli(['history', 'FR'])).stdout).toBe('country:FR has no versions.');
  });

  it('says when a layer has no version, or the version asked for does not exist (exit 1)', async () => {
    expect(await cli(['get', 'AT'])).toMatchObject({ code: EXIT.refused, stderr: expect.stringContaining('--effective') });
    expect(await cli(['rollback', 'AT', '--to', '3'])).toMatchObject({ code: EXIT.refused, stderr: expect.stringContaining('has no version 3') });
  });

  it('finds the local stack with --local through the endpoints file npm start writes', async () => {
    const files = { '.local/endpoints.json': json({ api: 'http://127.0.0.1:1', dynamodb: dynalite.url }) };
    expect((await cli(['list', '--local', '--table', tableName], { env: {}, files })).code).toBe(EXIT.ok);
    expect(await cli(['list', '--local'], { env: {} })).toMatchObject({ code: EXIT.aws, stderr: expect.stringContaining('npm start') });
  });

  it('exits 3 when the table does not exist or DynamoDB cannot be reached', async () => {
    expect(await cli(['list', '--table', 'nope'])).toMatchObject({ code: EXIT.aws, stderr: expect.stringContaining('No such table') });
    const stopped = await startDynalite();
    await stopped.stop();
    expect(await cli(['list'], { env: { AWS_ENDPOINT_URL_DYNAMODB: stopped.url } })).toMatchObject({
      code: EXIT.aws,
      stderr: expect.stringContaining('DynamoDB failed'),
    });
  });
});

describe('the npm script entry point', () => {
  it('runs under tsx and passes the exit code on', async () => {
    const entry = fileURLToPath(new URL('../../scripts/config-cli.ts', import.meta.url));
    const run = promisify(execFile);
    const { stdout } = await run(process.execPath, ['--import', 'tsx', entry, '--help']);
    expect(stdout).toContain('Usage: npm run config');
    await expect(run(process.execPath, ['--import', 'tsx', entry, 'frobnicate'])).rejects.toMatchObject({ code: EXIT.usage });
  });
});
