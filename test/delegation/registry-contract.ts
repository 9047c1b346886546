import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, expect, it } from 'vitest';
import { ensureTable, LOCAL_TABLES } from '../../local/tables.js';
import { DynamoDbDelegationRegistry } from '../../shared/adapters/dynamodb-delegation-registry.js';
import type { RegisteredDelegation } from '../../shared/domain/delegation/delegation-registry.js';

const PAYMENT = 'payment-response+jwt';
const VERDICT = 'verification-result+jwt';
const NOW = 2_000_000_000;

/** The delegation registry adapter, written once and run against each DynamoDB we have (dynalite, moto). */
export function delegationRegistryContract(dynamodb: () => DynamoDBClient) {
  let registry: DynamoDbDelegationRegistry;
  const table = `delegations-${Math.random().toString(36).slice(2, 8)}`;
  const delegation = (kid: string, expires: number, scope: RegisteredDelegation['scope'] = PAYMENT): RegisteredDelegation => ({
    kid: kid.padEnd(43, 'x'),
    scope,
    delegation: `jws-of-${kid}`,
    rootKid: 'root',
    notBefore: expires - 3600,
    expires,
    registeredAt: new Date((expires - 3540) * 1000).toISOString(),
  });

  beforeAll(async () => {
    await ensureTable(dynamodb(), { ...LOCAL_TABLES.DELEGATION_TABLE_NAME, TableName: table });
    registry = new DynamoDbDelegationRegistry(DynamoDBDocumentClient.from(dynamodb()), table);
    for (const registered of [delegation('ended', NOW - 1), delegation('endsnow', NOW), delegation('live', NOW + 1), delegation('later', NOW + 3000), delegation('verdict', NOW + 10, VERDICT)]) {
      await registry.register(registered, registered.expires + 720 * 3600);
    }
  });

  it('gets a delegation by scope and kid, and nothing under another scope', async () => {
    expect(await registry.get(PAYMENT, 'live'.padEnd(43, 'x'))).toEqual(delegation('live', NOW + 1));
    expect(await registry.get(VERDICT, 'live'.padEnd(43, 'x'))).toBeUndefined();
  });

  it('lists the delegations of a scope that end after now, however many ended before', async () => {
    const live = await registry.live(PAYMENT, NOW);
    expect(live.map((registered) => registered.kid).sort()).toEqual(['later'.padEnd(43, 'x'), 'live'.padEnd(43, 'x')]);
    expect((await registry.live(VERDICT, NOW)).map((registered) => registered.kid)).toEqual(['verdict'.padEnd(43, 'x')]);
  });

  it('revokes once: the revocation list names the kid for as long as the delegation is kept, and the first reason stays', async () => {
    const kid = 'later'.padEnd(43, 'x');
    expect(await registry.revoke(PAYMENT, kid, 'first', new Date(NOW * 1000))).toMatchObject({ kid, revokedAt: new Date(NOW * 1000).toISOString(), revocationReason: 'first' });
    expect(await registry.revoke(PAYMENT, kid, 'second', new Date((NOW + 5) * 1000))).toMatchObject({ revocationReason: 'first' });
    expect(await registry.revokedKids(PAYMENT)).toEqual(new Set([kid]));
    expect(await registry.revokedKids(VERDICT)).toEqual(new Set());
    expect(await registry.revoke(PAYMENT, 'unknown'.padEnd(43, 'x'), 'why', new Date())).toBeUndefined();
    // Kept for good: no TTL that a writer of the delegation item could have chosen.
    const { Item } = await DynamoDBDocumentClient.from(dynamodb()).send(new GetCommand({ TableName: table, Key: { pk: `${PAYMENT}#revoked`, sk: kid } }));
    expect(Item).toEqual({ pk: `${PAYMENT}#revoked`, sk: kid, kid, revokedAt: new Date(NOW * 1000).toISOString(), reason: 'first' });
  });
}
