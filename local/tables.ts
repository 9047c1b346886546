import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';

/**
 * The tables of the local stack, named as the env vars the handlers read. Their key schemas
 * mirror the stateful CDK stack (a test keeps the two equal).
 */
export const LOCAL_TABLES = {
  LEDGER_TABLE_NAME: { TableName: 'ledger', hashKey: 'paymentId' },
  IDEMPOTENCY_TABLE_NAME: { TableName: 'idempotency', hashKey: 'id' },
  CONFIG_TABLE_NAME: { TableName: 'config', hashKey: 'pk', rangeKey: 'sk' },
} as const satisfies Record<string, { TableName: string; hashKey: string; rangeKey?: string }>;

export function createTableInput(table: { TableName: string; hashKey: string; rangeKey?: string }): CreateTableCommandInput {
  const keys = [
    { name: table.hashKey, type: 'HASH' as const },
    ...(table.rangeKey ? [{ name: table.rangeKey, type: 'RANGE' as const }] : []),
  ];
  return {
    TableName: table.TableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: keys.map((key) => ({ AttributeName: key.name, AttributeType: 'S' })),
    KeySchema: keys.map((key) => ({ AttributeName: key.name, KeyType: key.type })),
  };
}
