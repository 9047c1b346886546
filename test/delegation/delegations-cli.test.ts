// `npm run delegations` against the local stack in delegated mode, run in-process and finding the
// stack as --local does: through the endpoints.json that `npm start` writes.
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { compactVerify, decodeProtectedHeader, importJWK, type JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT } from '../../scripts/cli-kit.js';
import { REPOSITORY_ROOT } from '../../local/local-stack.js';
import { runDelegationsCli } from '../../scripts/delegations/cli.js';
import type { DelegationView } from '../../scripts/delegations/view.js';
import { DynamoDbDelegationRegistry } from '../../shared/adapters/dynamodb-delegation-registry.js';
import { kidOfKeyArn } from '../../shared/adapters/kms-key-id.js';
import { codeBlockAfter } from '../support/readme.js';
import { bearer, postSettlement, SETTLEMENT_EXAMPLE, startTestStack, type TestStack } from '../support/test-stack.js';
import { until } from '../support/until.js';

const EXPECTED = { merchantId: 'm_123', orderId: 'o_456', amount: { value: 1999, currency: 'USD' } };
/** Well formed, and no key's: a thumbprint of nothing we made. */
const UNKNOWN_KID = 'A'.repeat(43);

let stack: TestStack;

beforeAll(async () => {
  // Verifiers read the revocation list every second instead of five: the revocation test waits less.
  process.env.DELEGATION_REVOCATION_CHECK_SECONDS = '1';
  stack = await startTestStack({ signingMode: 'delegated' });
  writeFileSync(join(stack.dataDir, 'endpoints.json'), JSON.stringify({ api: stack.url, dynamodb: stack.dynamodbUrl, kms: stack.kmsUrl, dataDir: stack.dataDir }));
});
afterAll(async () => {
  delete process.env.DELEGATION_REVOCATION_CHECK_SECONDS;
  await stack?.stop();
});

/** The CLI in-process, as `npm run delegations -- <argv>` runs it with the stack's data directory. */
async function delegations(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runDelegationsCli(argv, {
    env: { LOCAL_DATA_DIR: stack.dataDir },
    stdout: (text) => out.push(text),
    stderr: (text) => err.push(text),
    readFile: (path) => readFile(path, 'utf8'),
  });
  return { code, stdout: out.join('\n'), stderr: err.join('\n') };
}

let counter = 0;
/** Settles a payment and returns its receipt with the kid of the delegated key that signed it. */
async function settle(): Promise<{ paymentResponse: string; kid: string }> {
  const { status, body } = await postSettlement(stack.url, SETTLEMENT_EXAMPLE, `delegations-cli-${Date.now()}-${++counter}`, bearer(stack.devTokens.m_123!));
  expect(status).toBe(201);
  return { paymentResponse: body.paymentResponse, kid: decodeProtectedHeader(body.paymentResponse).kid! };
}

async function verify(body: Record<string, unknown>): Promise<Record<string, any>> {
  const response = await fetch(`${stack.url}/v1/verifications`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ expected: EXPECTED, ...body }) });
  return (await response.json()) as Record<string, any>;
}

const rootPaymentKid = () => kidOfKeyArn(stack.signingKeys.paymentKeyArns[0]!);

describe('npm run delegations: usage', () => {
  it('explains itself, and each command on its own, with --help', async () => {
    const all = await delegations('--help');
    expect(all.code).toBe(EXIT.ok);
    for (const command of ['list', 'show <kid>', 'revoke <kid> --reason']) expect(all.stdout).toContain(command);

    const revoke = await delegations('revoke', '--help');
    expect(revoke.code).toBe(EXIT.ok);
    expect(revoke.stdout).toContain('DELEGATION_REVOCATION_CHECK_SECONDS');
    expect(revoke.stdout).not.toContain('show <kid>');
  });

  it('answers mistakes with exit code 2 and a pointer to --help, before connecting', async () => {
    const mistakes = [
      [],
      ['delete', UNKNOWN_KID],
      ['show'],
      ['show', 'not-a-thumbprint'],
      ['list', UNKNOWN_KID],
      ['list', '--reason', 'why'],
      ['list', '--scope', 'receipt'],
      ['list', '--colour', 'red'],
      ['revoke', UNKNOWN_KID],
      ['revoke', UNKNOWN_KID, '--reason', '  '],
      ['show', UNKNOWN_KID, 'extra'],
    ];
    for (const argv of mistakes) {
      const { code, stderr } = await delegations(...argv, '--local');
      expect(code, argv.join(' ')).toBe(EXIT.usage);
      expect(stderr, argv.join(' ')).toContain("'npm run delegations -- --help'");
    }
  });

  it('asks which table when neither --local, --table nor DELEGATION_TABLE_NAME says', async () => {
    const { code, stderr } = await runCliWithoutEnvironment(['list']);
    expect(code).toBe(EXIT.usage);
    expect(stderr).toContain('DELEGATION_TABLE_NAME');
  });
});

async function runCliWithoutEnvironment(argv: string[]) {
  const err: string[] = [];
  const code = await runDelegationsCli(argv, { env: {}, stdout: () => {}, stderr: (text) => err.push(text), readFile: () => Promise.reject(new Error('no files')) });
  return { code, stderr: err.join('\n') };
}

describe('npm run delegations against the local stack in delegated mode', () => {
  it('lists the live delegation that signed a payment: its window, root key and registration', async () => {
    const { kid } = await settle();

    const listed = await delegations('list', '--local', '--json');
    expect(listed.code, listed.stderr).toBe(EXIT.ok);
    const entry = (JSON.parse(listed.stdout) as DelegationView[]).find((delegation) => delegation.kid === kid);
    expect(entry).toMatchObject({ scope: 'payment-response+jwt', status: 'live', rootKid: rootPaymentKid(), registeredAt: expect.any(String) });
    expect(Date.parse(entry!.until) - Date.parse(entry!.from)).toBeLessThanOrEqual(3600_000);
    expect(Date.parse(entry!.until)).toBeGreaterThan(Date.now());

    const table = await delegations('list', '--local');
    expect(table.stdout).toMatch(/^KID\s+FROM\s+UNTIL\s+ROOT KID\s+REGISTERED\s+REVOKED\n/);
    expect(table.stdout).toMatch(new RegExp(`^${kid}\\s+\\d{4}-\\d\\d-\\d\\dT[\\d:]+Z\\s+\\S+\\s+${rootPaymentKid()}\\s+\\S+\\s+-$`, 'm'));
  });

  it('shows a delegation with its JWS, which the root payment key of /.well-known/jwks.json verifies', async () => {
    const { kid } = await settle();

    const shown = await delegations('show', kid, '--local');
    expect(shown.code, shown.stderr).toBe(EXIT.ok);
    expect(shown.stdout).toMatch(/^\s+status\s+live$/m);
    const jws = /^[\w-]+\.[\w-]+\.[\w-]+$/m.exec(shown.stdout)?.[0];
    expect(jws, shown.stdout).toBeDefined();

    const served = (await (await fetch(`${stack.url}/.well-known/jwks.json`)).json()) as { keys: JWK[] };
    const root = served.keys.find((key) => key.kid === rootPaymentKid() && !('delegation' in key));
    const { payload, protectedHeader } = await compactVerify(jws!, await importJWK(root!, 'ES256'));
    expect(protectedHeader).toMatchObject({ typ: 'signing-delegation+jwt', kid: rootPaymentKid() });
    expect(JSON.parse(new TextDecoder().decode(payload))).toMatchObject({ sub: kid, scope: 'payment-response+jwt' });
  });

  it('lists verdict keys with --scope verdict, and points a payment lookup of a verdict kid there', async () => {
    const { paymentResponse } = await settle();
    const { verdict } = await verify({ paymentResponse, nonce: 'nonce-delegations-cli-0123456789' });
    const verdictKid = decodeProtectedHeader(verdict).kid!;

    const listed = JSON.parse((await delegations('list', '--scope', 'verdict', '--local', '--json')).stdout) as DelegationView[];
    expect(listed).toContainEqual(expect.objectContaining({ kid: verdictKid, scope: 'verification-result+jwt' }));

    const misdirected = await delegations('show', verdictKid, '--local');
    expect(misdirected.code).toBe(EXIT.refused);
    expect(misdirected.stderr).toContain('It is a verdict delegation: run it with --scope verdict.');
  });

  it('refuses a kid no delegation has, with exit code 1, also one that begins with a dash as one kid in 64 does', async () => {
    const dashed = `-${UNKNOWN_KID.slice(1)}`;
    for (const argv of [['show', UNKNOWN_KID], ['revoke', UNKNOWN_KID, '--reason', 'typo'], ['show', dashed], ['revoke', dashed, '--reason', 'typo']]) {
      const { code, stderr } = await delegations(...argv, '--local');
      expect(code, argv.join(' ')).toBe(EXIT.refused);
      expect(stderr).toContain(`No payment delegation has kid ${argv[1]}.`);
    }
  });

  it('revokes a key: the verification service answers DELEGATION_REVOKED for its tokens within seconds, and list and show say when and why', async () => {
    const { kid, paymentResponse } = await settle();

    const revoked = await delegations('revoke', kid, '--reason', 'test: container memory exposed', '--local');
    expect(revoked.code, revoked.stderr).toBe(EXIT.ok);
    expect(revoked.stdout).toContain(`Revoked ${kid}, a payment delegation, at `);
    expect(revoked.stdout).toContain('within DELEGATION_REVOCATION_CHECK_SECONDS (5 s by default)');
    expect(revoked.stdout).toContain('makes a new one');

    await until(async () => (await verify({ paymentResponse })).reason === 'DELEGATION_REVOKED' || undefined, { what: 'revocation at the verifier' });

    const listed = JSON.parse((await delegations('list', '--local', '--json')).stdout) as DelegationView[];
    expect(listed.find((delegation) => delegation.kid === kid)).toMatchObject({ status: 'revoked', revokedAt: expect.any(String), revocationReason: 'test: container memory exposed' });
    expect((await delegations('list', '--local')).stdout).toMatch(new RegExp(`^${kid}\\s.*Z test: container memory exposed$`, 'm'));
    expect((await delegations('show', kid, '--local')).stdout).toMatch(/^\s+status\s+revoked$/m);
  });

  it('keeps the first time and reason when a key is revoked twice, and says so', async () => {
    const { kid } = await settle();
    const first = JSON.parse((await delegations('revoke', kid, '--reason', 'first', '--local', '--json')).stdout) as Record<string, unknown>;
    expect(first).toMatchObject({ status: 'revoked', revocationReason: 'first', alreadyRevoked: false });

    const again = await delegations('revoke', kid, '--reason', 'second', '--local');
    expect(again.code).toBe(EXIT.ok);
    expect(again.stdout).toContain(`was revoked already, at ${first.revokedAt as string} ("first")`);
    expect(again.stdout).toContain('yours was not recorded');
    expect(JSON.parse((await delegations('show', kid, '--local', '--json')).stdout)).toMatchObject({ revokedAt: first.revokedAt, revocationReason: 'first' });
  });

  it('shows an ended delegation as ended, and on revoking it says what a revocation still does', async () => {
    // Written as a signer registers one, an hour ago: no local container keeps a delegation that long.
    const endedKid = 'E'.repeat(43);
    const hourAgo = Math.floor(Date.now() / 1000) - 3600;
    const dynamodb = new DynamoDBClient({ endpoint: stack.dynamodbUrl, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
    try {
      const registry = new DynamoDbDelegationRegistry(DynamoDBDocumentClient.from(dynamodb), 'delegations');
      const delegation = { kid: endedKid, scope: 'payment-response+jwt' as const, delegation: 'a.b.c', rootKid: rootPaymentKid(), notBefore: hourAgo - 60, expires: hourAgo + 60, registeredAt: new Date(hourAgo * 1000).toISOString() };
      await registry.register(delegation, hourAgo + 86_400);
    } finally {
      dynamodb.destroy();
    }

    expect((await delegations('show', endedKid, '--local')).stdout).toMatch(/^\s+status\s+ended$/m);
    expect(JSON.parse((await delegations('list', '--local', '--json')).stdout)).not.toContainEqual(expect.objectContaining({ kid: endedKid }));
    const revoked = await delegations('revoke', endedKid, '--reason', 'audit found it', '--local');
    expect(revoked.code).toBe(EXIT.ok);
    expect(revoked.stdout).toContain('It had ended at');
    expect(revoked.stdout).toContain('even those the ledger holds');
  });

  it('says which table is missing, with exit code 3', async () => {
    const { code, stderr } = await delegations('list', '--table', 'no-such-table', '--local');
    expect(code).toBe(EXIT.aws);
    expect(stderr).toContain('No such table');
  });
});

// Last: it revokes the key the signing container holds, which the tests above settle with.
describe('the README: revoking a delegated key', () => {
  it('runs as printed against the local stack in delegated mode', { timeout: 120_000 }, async () => {
    // The tests above revoked keys: the container signs with a new one once it has read the revocation list.
    const kid = await until(async () => {
      const settled = await settle();
      const shown = JSON.parse((await delegations('show', settled.kid, '--local', '--json')).stdout) as DelegationView;
      return shown.status === 'live' ? settled.kid : undefined;
    }, { what: 'a payment signed by a key not revoked' });
    const { stdout } = await promisify(execFile)('bash', ['-euo', 'pipefail', '-c', codeBlockAfter('### Revoking a delegated key', 'sh')], {
      cwd: REPOSITORY_ROOT,
      env: { ...process.env, LOCAL_DATA_DIR: stack.dataDir, DELEGATION_TABLE_NAME: '', AWS_ENDPOINT_URL_DYNAMODB: '' },
    });
    expect(stdout).toMatch(new RegExp(`^${kid}\\s`, 'm'));
    expect(stdout).toMatch(/^\s+status\s+live$/m);
    expect(stdout).toContain(`Revoked ${kid}, a payment delegation, at `);
  });
});
