import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  type GetCommandOutput,
  PutCommand,
  UpdateCommand,
  type UpdateCommandOutput,
} from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { CompletedPayment, Ledger, LedgerBegin, LedgerRecord, PaymentLock } from '../domain/settlement/ledger-record.js';
import { LedgerUnavailableError } from '../errors.js';
import { withinDeadline } from './aws/call-deadline.js';
import { asOutage } from './aws/outage.js';

/** Only a pending record held with this lock may change: a completed one never does. */
const HELD_BY = 'lockToken = :lockToken AND attribute_not_exists(paymentResponse)';

/**
 * The ledger table, keyed by paymentId: the one idempotency store of settlement. Every write is a
 * single conditional item write (no transactions), so a new payment costs two writes (begin,
 * complete) and a replay one refused write. DynamoDB hands back the stored item when a condition
 * fails (ReturnValuesOnConditionCheckFailure); emulators that do not get one more read.
 */
export class DynamoDbLedger implements Ledger {
  constructor(
    private readonly documentClient: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async get(paymentId: string): Promise<LedgerRecord | undefined> {
    const { Item } = await this.#send<GetCommandOutput>(
      new GetCommand({ TableName: this.tableName, Key: { paymentId }, ConsistentRead: true }),
    );
    return Item as LedgerRecord | undefined;
  }

  async begin(pending: LedgerRecord & PaymentLockFields): Promise<LedgerBegin> {
    try {
      await this.#send(
        new PutCommand({
          TableName: this.tableName,
          Item: pending,
          ConditionExpression: 'attribute_not_exists(paymentId)',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return { begun: true };
    } catch (error) {
      const existing = await this.#storedAfterRefusal(error, pending.paymentId);
      if (!existing) throw new Error(`Ledger record ${pending.paymentId} vanished after a conditional check failed`, { cause: error });
      return { begun: false, existing };
    }
  }

  async takeOver(paymentId: string, expiredToken: string, lock: PaymentLock): Promise<boolean> {
    const taken = await this.#ifHeld(paymentId, expiredToken, 'SET lockToken = :newToken, lockExpiresAt = :expiresAt', {
      ':newToken': lock.token,
      ':expiresAt': lock.expiresAt,
    });
    // Refused may mean the SDK retried our own update after its answer was lost: then it is ours.
    return taken || (await this.get(paymentId))?.lockToken === lock.token;
  }

  async complete(
    paymentId: string,
    lockToken: string,
    outcome: CompletedPayment,
  ): Promise<LedgerRecord | undefined> {
    try {
      const { Attributes } = await this.#send<UpdateCommandOutput>(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { paymentId },
          UpdateExpression: 'SET #status = :status, paymentResponse = :paymentResponse, signedBy = :signedBy REMOVE lockToken, lockExpiresAt',
          ConditionExpression: HELD_BY,
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':lockToken': lockToken,
            ':status': outcome.status,
            ':paymentResponse': outcome.paymentResponse,
            ':signedBy': outcome.signedBy,
          },
          ReturnValues: 'ALL_NEW',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return Attributes as LedgerRecord;
    } catch (error) {
      return this.#storedAfterRefusal(error, paymentId);
    }
  }

  async release(paymentId: string, lockToken: string, how: 'forget' | 'unlock'): Promise<void> {
    if (how === 'unlock') {
      await this.#ifHeld(paymentId, lockToken, 'SET lockExpiresAt = :now', { ':now': 0 });
    } else {
      await this.#whileHeld(
        new DeleteCommand({ TableName: this.tableName, Key: { paymentId }, ConditionExpression: HELD_BY, ExpressionAttributeValues: { ':lockToken': lockToken } }),
      );
    }
  }

  /** Applies `update` if the pending record is still held with `lockToken`; false if not. */
  #ifHeld(paymentId: string, lockToken: string, update: string, values: Record<string, unknown>): Promise<boolean> {
    return this.#whileHeld(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { paymentId },
        UpdateExpression: update,
        ConditionExpression: HELD_BY,
        ExpressionAttributeValues: { ':lockToken': lockToken, ...values },
      }),
    );
  }

  /** Sends a write conditioned on HELD_BY: true if it applied, false if the record is no longer held that way. */
  async #whileHeld(command: UpdateCommand | DeleteCommand): Promise<boolean> {
    try {
      await this.#send(command);
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  /**
   * Every call within the request's deadline; an outage becomes LedgerUnavailableError (503), a
   * refused condition stays what it is for the caller to read.
   */
  async #send<Output = unknown>(command: GetCommand | PutCommand | UpdateCommand | DeleteCommand): Promise<Output> {
    try {
      return (await this.documentClient.send(command as never, withinDeadline())) as Output;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) throw error;
      return asOutage(error, (cause) => new LedgerUnavailableError(cause));
    }
  }

  async #storedAfterRefusal(error: unknown, paymentId: string): Promise<LedgerRecord | undefined> {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
    // The low-level client's exception carries the item in DynamoDB's own attribute format.
    if (error.Item) return unmarshall(error.Item) as LedgerRecord;
    return this.get(paymentId);
  }
}

type PaymentLockFields = { lockToken: string; lockExpiresAt: number };
