import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ensureJwtIssuer, JWT_ISSUER_KEY_FILE, type LocalJwtIssuer } from '../../local/jwt-issuer.js';
import { ensureTable, LOCAL_TABLES } from '../../local/tables.js';
import { EXIT, runMerchantsCli } from '../../scripts/merchants/cli.js';
import { type CountingDynalite, startDynalite, testClients } from '../config/support/dynamodb.js';

const LOCAL_CALLER = 'jwt:https://issuer.signed-pay.test|m_shop';
const ROLE = 'arn:aws:iam::123456789012:role/shop-backend';

let dynalite: CountingDynalite;
let clients: ReturnType<typeof testClients>;
let tableName: string;
let issuerDir: string;
let issuer: LocalJwtIssuer;

beforeAll(async () => {
  dynalite = await startDynalite();
  clients = testClients(dynalite.url);
  issuerDir = mkdtempSync(join(tmpdir(), 'signed-pay-merchants-cli-'));
  issuer = await ensureJwtIssuer(issuerDir);
});
afterAll(async () => {
  clients?.client.destroy();
  await dynalite?.stop();
  rmSync(issuerDir, { recursive: true, force: true });
});
beforeEach(async () => {
  tableName = `merchants-${randomUUID()}`;
  await ensureTable(clients.client, { ...LOCAL_TABLES.MERCHANT_TABLE_NAME, TableName: tableName });
});

/** The files `npm start` leaves in its data directory, as the CLI reads them with --local. */
function localStackFiles(): Record<string, string> {
  return {
    '.local/endpoints.json': JSON.stringify({ api: 'http://127.0.0.1:1', dynamodb: dynalite.url, dataDir: '/data' }),
    [`/data/${JWT_ISSUER_KEY_FILE}`]: readFileSync(join(issuerDir, JWT_ISSUER_KEY_FILE), 'utf8'),
  };
}

/** Runs the CLI in-process with a fake terminal: files from `files`, nothing from the real environment. */
async function cli(argv: string[], options: { env?: Record<string, string | undefined>; files?: Record<string, string> } = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const files = options.files ?? {};
  const code = await runMerchantsCli(argv, {
    env: options.env ?? { AWS_ENDPOINT_URL_DYNAMODB: dynalite.url, MERCHANT_TABLE_NAME: tableName },
    stdout: (text) => out.push(text),
    stderr: (text) => err.push(text),
    readFile: async (path) => {
      if (!(path in files)) throw new Error(`ENOENT: no such file, open '${path}'`);
      return files[path]!;
    },
  });
  return { code, stdout: out.join('\n'), stderr: err.join('\n') };
}

describe('npm run merchants: usage', () => {
  it('explains itself with --help', async () => {
    const { code, stdout } = await cli(['--help']);
    expect(code).toBe(EXIT.ok);
    for (const command of ['list', 'get', 'add', 'add-caller', 'remove-caller', 'suspend', 'resume', 'token']) expect(stdout).toContain(command);
  });

  it('answers mistakes with exit code 2 and a hint, before touching DynamoDB', async () => {
    const mistakes = [
      [],
      ['delete', 'm_1'],
      ['get'],
      ['get', 'm 1'],
      ['list', 'm_1'],
      ['add', 'm_1', '--caller', ROLE],
      ['add', 'm_1', '--mode', 'prod', '--caller', ROLE],
      ['add', 'm_1', '--mode', 'test'],
      ['add', 'm_1', '--mode', 'test', '--caller', 'arn:aws:s3:::bucket'],
      ['add', 'm_1', '--mode', 'test', '--caller', 'jwt:no-subject'],
      ['suspend', 'm_1', '--mode', 'live'],
      ['token', 'm_1'],
      ['token', 'm_1', '--local', '--days', '0'],
    ];
    for (const argv of mistakes) {
      const { code, stderr } = await cli(argv, { env: {} });
      expect(code, argv.join(' ')).toBe(EXIT.usage);
      expect(stderr, argv.join(' ')).toContain('--help');
    }
  });

  it('asks for a table when neither --table, MERCHANT_TABLE_NAME nor a local endpoint says which', async () => {
    const { code, stderr } = await cli(['list'], { env: {} });
    expect(code).toBe(EXIT.usage);
    expect(stderr).toContain('MERCHANT_TABLE_NAME');
  });
});

describe('npm run merchants against a DynamoDB endpoint', () => {
  it('adds, lists, gets, suspends and resumes a merchant', async () => {
    expect(await cli(['add', 'm_shop', '--mode', 'live', '--caller', ROLE, '--caller', LOCAL_CALLER])).toMatchObject({ code: EXIT.ok });
    await cli(['add', 'm_test', '--mode', 'test', '--caller', 'arn:aws:sts::123456789012:assumed-role/tester/session-1']);

    const list = await cli(['list']);
    expect(list.stdout).toMatch(/^MERCHANT\s+MODE\s+STATUS\s+CALLERS\nm_shop\s+live\s+active\s+iam:arn:aws:iam::123456789012:role\/shop-backend jwt:.*\nm_test\s+test\s+active\s+iam:arn:aws:iam::123456789012:role\/tester$/);

    expect(JSON.parse((await cli(['get', 'm_shop', '--json'])).stdout)).toEqual({
      merchantId: 'm_shop',
      mode: 'live',
      status: 'active',
      callers: [`iam:${ROLE}`, LOCAL_CALLER],
    });

    expect(await cli(['suspend', 'm_shop'])).toMatchObject({ code: EXIT.ok, stdout: expect.stringContaining('MERCHANT_CACHE_TTL_SECONDS') });
    expect(JSON.parse((await cli(['get', 'm_shop', '--json'])).stdout)).toMatchObject({ status: 'suspended' });
    expect(await cli(['resume', 'm_shop'])).toMatchObject({ code: EXIT.ok, stdout: 'm_shop is active.' });
    expect((await cli(['get', 'm_shop'])).stdout).toMatch(/^m_shop\n\s+mode\s+live\n\s+status\s+active\n\s+callers\s+iam:/);
  });

  it('adds a caller, and refuses one that acts for another merchant (exit 1)', async () => {
    await cli(['add', 'm_shop', '--mode', 'test', '--caller', ROLE]);
    await cli(['add', 'm_other', '--mode', 'test', '--caller', 'jwt:https://idp.example|other']);
    expect(await cli(['add-caller', 'm_shop', '--caller', LOCAL_CALLER, '--json'])).toMatchObject({ code: EXIT.ok, stdout: expect.stringContaining(LOCAL_CALLER) });
    expect(await cli(['add-caller', 'm_other', '--caller', ROLE])).toMatchObject({
      code: EXIT.refused,
      stderr: expect.stringContaining('already acts for another merchant'),
    });
    expect(await cli(['add', 'm_third', '--mode', 'test', '--caller', LOCAL_CALLER])).toMatchObject({ code: EXIT.refused });
    expect(JSON.parse((await cli(['get', 'm_other', '--json'])).stdout).callers).toEqual(['jwt:https://idp.example|other']);
  });

  it('revokes one caller without suspending the merchant, and frees its identity for another merchant', async () => {
    await cli(['add', 'm_rev', '--mode', 'test', '--caller', ROLE, '--caller', LOCAL_CALLER]);
    expect(await cli(['remove-caller', 'm_rev', '--caller', ROLE, '--json'])).toMatchObject({ code: EXIT.ok });
    expect(JSON.parse((await cli(['get', 'm_rev', '--json'])).stdout)).toMatchObject({ status: 'active', callers: [LOCAL_CALLER] });
    expect(await cli(['remove-caller', 'm_rev', '--caller', ROLE])).toMatchObject({ code: EXIT.refused, stderr: expect.stringContaining('does not act for') });
    expect(await cli(['add', 'm_next', '--mode', 'test', '--caller', ROLE])).toMatchObject({ code: EXIT.ok });
  });

  it('refuses to add a merchant twice, and to change or show one that is not registered (exit 1)', async () => {
    await cli(['add', 'm_shop', '--mode', 'test', '--caller', ROLE]);
    expect(await cli(['add', 'm_shop', '--mode', 'live', '--caller', LOCAL_CALLER])).toMatchObject({ code: EXIT.refused, stderr: expect.stringContaining('exists already') });
    expect(JSON.parse((await cli(['get', 'm_shop', '--json'])).stdout)).toMatchObject({ mode: 'test', callers: [`iam:${ROLE}`] });
    for (const argv of [['get', 'm_none'], ['suspend', 'm_none'], ['resume', 'm_none'], ['add-caller', 'm_none', '--caller', ROLE]]) {
      expect(await cli(argv), argv.join(' ')).toMatchObject({ code: EXIT.refused, stderr: expect.stringContaining('not registered') });
    }
    // The refused add-caller claimed nothing: the role can still be given to a new merchant.
    expect((await cli(['add', 'm_new', '--mode', 'test', '--caller', 'arn:aws:iam::123456789012:role/spare'])).code).toBe(EXIT.ok);
  });

  it('exits 3 when the table does not exist or DynamoDB cannot be reached', async () => {
    expect(await cli(['list', '--table', 'nope'])).toMatchObject({ code: EXIT.aws, stderr: expect.stringContaining('No such table') });
    const stopped = await startDynalite();
    await stopped.stop();
    expect(await cli(['list'], { env: { AWS_ENDPOINT_URL_DYNAMODB: stopped.url } })).toMatchObject({ code: EXIT.aws, stderr: expect.stringContaining('DynamoDB failed') });
  });
});

describe('npm run merchants with the local stack (--local)', () => {
  it('finds the stack through the endpoints file npm start writes', async () => {
    await cli(['add', 'm_shop', '--mode', 'test', '--caller', LOCAL_CALLER]);
    expect((await cli(['list', '--local', '--table', tableName], { env: {}, files: localStackFiles() })).stdout).toContain('m_shop');
    expect(await cli(['list', '--local'], { env: {} })).toMatchObject({ code: EXIT.aws, stderr: expect.stringContaining('npm start') });
  });

  it('prints a bearer token from the local issuer for the merchant\'s local caller, alone on stdout', async () => {
    await cli(['add', 'm_shop', '--mode', 'test', '--caller', ROLE, '--caller', LOCAL_CALLER]);
    const { code, stdout } = await cli(['token', 'm_shop', '--local', '--table', tableName, '--days', '2'], { env: {}, files: localStackFiles() });
    expect(code).toBe(EXIT.ok);
    const claims = await issuer.verify(stdout);
    expect(claims.sub).toBe('m_shop');
    expect(claims.exp! - claims.iat!).toBe(2 * 24 * 60 * 60);

    const json = JSON.parse((await cli(['token', 'm_shop', '--local', '--table', tableName, '--json'], { env: {}, files: localStackFiles() })).stdout);
    expect(json).toMatchObject({ merchantId: 'm_shop', caller: LOCAL_CALLER, token: expect.any(String) });
    expect((await issuer.verify(json.token)).exp! - Date.now() / 1000).toBeGreaterThan(89 * 24 * 60 * 60);
  });

  it('says so when the merchant has no local caller, is suspended, or the issuer key is missing', async () => {
    await cli(['add', 'm_iam', '--mode', 'test', '--caller', ROLE]);
    const noCaller = await cli(['token', 'm_iam', '--local', '--table', tableName], { env: {}, files: localStackFiles() });
    expect(noCaller).toMatchObject({ code: EXIT.refused, stderr: expect.stringContaining("add-caller m_iam --caller 'jwt:https://issuer.signed-pay.test|m_iam'") });

    await cli(['add', 'm_shop', '--mode', 'test', '--caller', LOCAL_CALLER]);
    await cli(['suspend', 'm_shop']);
    expect(await cli(['token', 'm_shop', '--local', '--table', tableName], { env: {}, files: localStackFiles() })).toMatchObject({
      code: EXIT.ok,
      stderr: expect.stringContaining('suspended'),
    });

    const withoutKey = { '.local/endpoints.json': localStackFiles()['.local/endpoints.json']! };
    expect(await cli(['token', 'm_shop', '--local', '--table', tableName], { env: {}, files: withoutKey })).toMatchObject({
      code: EXIT.aws,
      stderr: expect.stringContaining('No local issuer key'),
    });
  });
});

describe('the npm script entry point', () => {
  it('runs under tsx and passes the exit code on', async () => {
    const entry = fileURLToPath(new URL('../../scripts/merchants-cli.ts', import.meta.url));
    const run = promisify(execFile);
    const { stdout } = await run(process.execPath, ['--import', 'tsx', entry, '--help']);
    expect(stdout).toContain('Usage: npm run merchants');
    await expect(run(process.execPath, ['--import', 'tsx', entry, 'frobnicate'])).rejects.toMatchObject({ code: EXIT.usage });
  });
});
