import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateKeyCommand, type KMSClient } from '@aws-sdk/client-kms';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { compactVerify, importJWK } from 'jose';
import { beforeAll, expect, it } from 'vitest';
import { ensureTable, LOCAL_TABLES } from '../../local/tables.js';
import { DynamoDbLedger } from '../../shared/adapters/dynamodb-ledger.js';
import { DynamoDbMerchantRegistry, MerchantRegistryConflictError } from '../../shared/adapters/dynamodb-merchant-registry.js';
import { KmsJwsSigner } from '../../shared/adapters/kms-jws-signer.js';
import { fetchPublicJwk } from '../../shared/adapters/kms-public-keys.js';

/**
 * The AWS-facing adapters of settlement, written once and run against each implementation of
 * the AWS APIs we have: the local stack's (dynalite + our KMS endpoint) and moto_server.
 */
export function settlementAdaptersContract(
  clients: () => { kms: KMSClient; dynamodb: DynamoDBClient },
  /**
   * DynamoDB applies conditional writes to one item one at a time. moto_server does not: two
   * concurrent conditional updates of one item can both succeed (seen: two takers of one lock).
   * Against such an implementation the races run one writer after another, which still checks
   * that exactly one wins, just not under concurrency.
   */
  options: { concurrentConditionalWrites: boolean } = { concurrentConditionalWrites: true },
) {
  const race = <T>(writers: Array<() => Promise<T>>): Promise<T[]> =>
    options.concurrentConditionalWrites
      ? Promise.all(writers.map((write) => write()))
      : writers.reduce<Promise<T[]>>(async (done, write) => [...(await done), await write()], Promise.resolve([]));

  let keyArn: string;
  const suffix = Math.random().toString(36).slice(2, 8);
  const ledgerTable = `ledger-${suffix}`;
  const merchantTable = `merchants-${suffix}`;

  beforeAll(async () => {
    const { kms, dynamodb } = clients();
    const { KeyMetadata } = await kms.send(new CreateKeyCommand({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' }));
    keyArn = KeyMetadata!.Arn!;
    await ensureTable(dynamodb, { ...LOCAL_TABLES.LEDGER_TABLE_NAME, TableName: ledgerTable });
    await ensureTable(dynamodb, { ...LOCAL_TABLES.MERCHANT_TABLE_NAME, TableName: merchantTable });
  });

  it('KmsJwsSigner produces an ES256 compact JWS that jose verifies with the key from GetPublicKey', async () => {
    const { kms } = clients();
    const signer = new KmsJwsSigner(kms, keyArn);
    const jws = await signer.sign('payment-response+jwt', { jti: 'pay_x', amount: { value: 1, currency: 'EUR' } });
    const jwk = await fetchPublicJwk(kms, keyArn);
    expect(jwk.kid).toBe(signer.kid);
    const { payload, protectedHeader } = await compactVerify(jws, await importJWK(jwk, 'ES256'), { algorithms: ['ES256'] });
    expect(protectedHeader).toEqual({ alg: 'ES256', kid: signer.kid, typ: 'payment-response+jwt' });
    expect(JSON.parse(new TextDecoder().decode(payload))).toEqual({ jti: 'pay_x', amount: { value: 1, currency: 'EUR' } });
  });

  const pending = (paymentId: string, lockToken: string, lockExpiresAt = Date.now() + 10_000) => ({
    paymentId,
    merchantId: 'm_1',
    orderId: 'o_1',
    amount: { value: 100, currency: 'EUR' },
    livemode: false,
    requestFingerprint: 'f',
    createdAt: new Date(0).toISOString(),
    lockToken,
    lockExpiresAt,
  });
  const ledger = () => new DynamoDbLedger(DynamoDBDocumentClient.from(clients().dynamodb), ledgerTable);

  it('DynamoDbLedger lets exactly one of racing writers begin a payment, and shows the others its record', async () => {
    const results = await race([1, 2, 3, 4, 5].map((n) => () => ledger().begin(pending('pay_race', `lock-${n}`))));
    expect(results.filter((result) => result.begun)).toHaveLength(1);
    const stored = await ledger().get('pay_race');
    for (const result of results) if (!result.begun) expect(result.existing).toEqual(stored);
    expect(await ledger().get('pay_missing')).toBeUndefined();
  });

  it('DynamoDbLedger completes a payment only under its lock, once, and a completed record never changes', async () => {
    await ledger().begin(pending('pay_done', 'mine'));
    expect(await ledger().complete('pay_done', 'not-mine', { status: 'SETTLED', paymentResponse: 'jws-other', signedBy: 'kid-other' })).toMatchObject({ lockToken: 'mine' });
    const completed = await ledger().complete('pay_done', 'mine', { status: 'SETTLED', paymentResponse: 'jws-1', signedBy: 'kid-1' });
    expect(completed).toMatchObject({ status: 'SETTLED', paymentResponse: 'jws-1', signedBy: 'kid-1' });
    expect(completed).not.toHaveProperty('lockToken');
    expect(await ledger().complete('pay_done', 'mine', { status: 'DECLINED', paymentResponse: 'jws-2', signedBy: 'kid-2' })).toEqual(completed);
    expect(await ledger().takeOver('pay_done', 'mine', { token: 'thief', expiresAt: 0 })).toBe(false);
    await ledger().release('pay_done', 'mine', 'forget');
    expect(await ledger().get('pay_done')).toEqual(completed);
    const again = await ledger().begin(pending('pay_done', 'late'));
    expect(again).toEqual({ begun: false, existing: completed });
  });

  it('DynamoDbLedger hands a pending payment over once, and releases it only for its holder', async () => {
    await ledger().begin(pending('pay_held', 'first', 0));
    const takers = await race(['a', 'b', 'c'].map((token) => () => ledger().takeOver('pay_held', 'first', { token, expiresAt: 1 })));
    expect(takers.filter(Boolean)).toHaveLength(1);
    const holder = (await ledger().get('pay_held'))!.lockToken!;
    // The SDK's retry of the winner's update, whose first answer was lost: still the winner's.
    expect(await ledger().takeOver('pay_held', 'first', { token: holder, expiresAt: 1 })).toBe(true);
    expect(await ledger().takeOver('pay_held', 'first', { token: 'latecomer', expiresAt: 1 })).toBe(false);
    await ledger().release('pay_held', 'first', 'forget');
    expect(await ledger().get('pay_held')).toBeDefined();
    await ledger().release('pay_held', holder, 'unlock');
    expect(await ledger().get('pay_held')).toMatchObject({ lockToken: holder, lockExpiresAt: 0 });
    await ledger().release('pay_held', holder, 'forget');
    expect(await ledger().get('pay_held')).toBeUndefined();
  });

  it('DynamoDbMerchantRegistry finds a merchant by caller and lets no caller act for two merchants', async () => {
    const registry = new DynamoDbMerchantRegistry(DynamoDBDocumentClient.from(clients().dynamodb), merchantTable);
    const shop = { merchantId: 'm_shop', mode: 'test' as const, status: 'active' as const, callers: ['jwt:https://idp|shop'] };
    await registry.add(shop);
    await expect(registry.add(shop)).rejects.toBeInstanceOf(MerchantRegistryConflictError);
    await expect(registry.add({ ...shop, merchantId: 'm_thief' })).rejects.toBeInstanceOf(MerchantRegistryConflictError);
    expect(await registry.merchantForCaller('jwt:https://idp|shop')).toEqual(shop);
    expect(await registry.merchantForCaller('jwt:https://idp|nobody')).toBeUndefined();
    expect(await registry.get('m_thief')).toBeUndefined();

    await registry.addCaller('m_shop', 'iam:arn:aws:iam::123456789012:role/shop');
    await registry.addCaller('m_shop', 'iam:arn:aws:iam::123456789012:role/shop');
    expect((await registry.get('m_shop'))?.callers).toEqual([...shop.callers, 'iam:arn:aws:iam::123456789012:role/shop']);
    expect(await registry.setStatus('m_shop', 'suspended')).toMatchObject({ status: 'suspended' });
    expect((await registry.merchantForCaller('jwt:https://idp|shop'))?.status).toBe('suspended');
    await expect(registry.setStatus('m_missing', 'active')).rejects.toBeInstanceOf(MerchantRegistryConflictError);
    expect((await registry.list()).map((merchant) => merchant.merchantId)).toEqual(['m_shop']);

    const revoked = await registry.removeCaller('m_shop', 'jwt:https://idp|shop');
    expect(revoked.callers).toEqual(['iam:arn:aws:iam::123456789012:role/shop']);
    expect(await registry.merchantForCaller('jwt:https://idp|shop')).toBeUndefined();
    await registry.add({ ...shop, merchantId: 'm_next' });
    expect((await registry.merchantForCaller('jwt:https://idp|shop'))?.merchantId).toBe('m_next');
  });
}
