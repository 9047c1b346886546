import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { Ledger, LedgerRecord } from '../domain/ledger-record.js';

/**
 * The ledger table, keyed by paymentId. A single conditional put (no transaction) keeps one
 * record per payment even when two writers race; the loser reads the winner's record.
 */
export class DynamoDbLedger implements Ledger {
  constructor(
    private readonly documentClient: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async get(paymentId: string): Promise<LedgerRecord | undefined> {
    const { Item } = await this.documentClient.send(
      new GetCommand({ TableName: this.tableName, Key: { paymentId }, ConsistentRead: true }),
    );
    return Item as LedgerRecord | undefined;
  }

  async putIfAbsent(record: LedgerRecord): Promise<LedgerRecord> {
    try {
      await this.documentClient.send(
        new PutCommand({
          TableName: this.tableName,
          Item: record,
          ConditionExpression: 'attribute_not_exists(paymentId)',
        }),
      );
      return record;
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      const stored = await this.get(record.paymentId);
      if (!stored) throw new Error(`Ledger record ${record.paymentId} vanished after a conditional check failed`);
      return stored;
    }
  }
}
