import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateKeyCommand, type KMSClient } from '@aws-sdk/client-kms';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Context } from 'aws-lambda';
import { compactVerify, importJWK } from 'jose';
import { beforeAll, expect, it } from 'vitest';
import { lambdaContext } from '../../local/api-gateway-event.js';
import { ensureTable, LOCAL_TABLES } from '../../local/tables.js';
import { DynamoDbLedger } from '../../shared/adapters/dynamodb-ledger.js';
import { KmsJwsSigner } from '../../shared/adapters/kms-jws-signer.js';
import { fetchPublicJwk } from '../../shared/adapters/kms-public-keys.js';
import type { LedgerRecord } from '../../shared/domain/ledger-record.js';
import { IdempotencyKeyReusedError, RequestInFlightError } from '../../shared/errors.js';
import { idempotentSettlement, type SettlementInput } from '../../functions/settlement/idempotent-settlement.js';

/**
 * The AWS-facing adapters of settlement, written once and run against each implementation of
 * the AWS APIs we have: the local stack's (dynalite + our KMS endpoint) and moto_server.
 */
export function settlementAdaptersContract(clients: () => { kms: KMSClient; dynamodb: DynamoDBClient }) {
  let keyArn: string;
  const suffix = Math.random().toString(36).slice(2, 8);
  const ledgerTable = `ledger-${suffix}`;
  const idempotencyTable = `idempotency-${suffix}`;

  beforeAll(async () => {
    const { kms, dynamodb } = clients();
    const { KeyMetadata } = await kms.send(new CreateKeyCommand({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' }));
    keyArn = KeyMetadata!.Arn!;
    await ensureTable(dynamodb, { ...LOCAL_TABLES.LEDGER_TABLE_NAME, TableName: ledgerTable });
    await ensureTable(dynamodb, { ...LOCAL_TABLES.IDEMPOTENCY_TABLE_NAME, TableName: idempotencyTable });
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

  it('DynamoDbLedger keeps exactly one record per payment when writers race', async () => {
    const ledger = new DynamoDbLedger(DynamoDBDocumentClient.from(clients().dynamodb), ledgerTable);
    const record = (n: number): LedgerRecord => ({
      paymentId: 'pay_race',
      merchantId: 'm_1',
      orderId: 'o_1',
      amount: { value: 100, currency: 'EUR' },
      status: 'SETTLED',
      requestFingerprint: 'f',
      paymentResponse: `jws-${n}`,
      createdAt: new Date(0).toISOString(),
    });
    const stored = await Promise.all([1, 2, 3, 4, 5].map((n) => ledger.putIfAbsent(record(n))));
    expect(new Set(stored.map((r) => r.paymentResponse)).size).toBe(1);
    expect(await ledger.get('pay_race')).toEqual(stored[0]);
    expect(await ledger.get('pay_missing')).toBeUndefined();
  });

  it('Powertools idempotency replays, refuses a changed body and reports a request in flight', async () => {
    let calls = 0;
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const settleOnce = idempotentSettlement({
      dynamodb: clients().dynamodb,
      tableName: idempotencyTable,
      settle: async (input) => {
        calls++;
        if (input.idempotencyKey === 'slow') await gate;
        return { paymentId: `pay_${input.idempotencyKey}`, status: 'SETTLED', paymentResponse: 'jws' };
      },
    });
    const context: Context = lambdaContext('settlement', 10_000);
    const input = (key: string, value = 100): SettlementInput => ({
      merchantId: 'm_1',
      idempotencyKey: key,
      request: { merchantId: 'm_1', orderId: 'o_1', amount: { value, currency: 'EUR' }, paymentMethod: { type: 'card', token: 'tok_success' } },
    });

    expect(await settleOnce(input('k1'), context)).toEqual({ result: expect.objectContaining({ paymentId: 'pay_k1' }), replayed: false });
    expect(await settleOnce(input('k1'), context)).toEqual({ result: expect.objectContaining({ paymentId: 'pay_k1' }), replayed: true });
    expect(calls).toBe(1);
    await expect(settleOnce(input('k1', 200), context)).rejects.toBeInstanceOf(IdempotencyKeyReusedError);

    const slow = settleOnce(input('slow'), context);
    await new Promise((resolve) => setTimeout(resolve, 200));
    await expect(settleOnce(input('slow'), context)).rejects.toBeInstanceOf(RequestInFlightError);
    release();
    expect((await slow).replayed).toBe(false);
  });
}
