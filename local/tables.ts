import {
  CreateTableCommand,
  type CreateTableCommandInput,
  type DynamoDBClient,
  ResourceInUseException,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';

/**
 * The tables of the local stack, named as the env vars the handlers read. Their key schemas
 * mirror the stateful CDK stack (a test keeps the two equal).
 */
export const LOCAL_TABLES = {
  LEDGER_TABLE_NAME: { TableName: 'ledger', hashKey: 'paymentId' },
  MERCHANT_TABLE_NAME: { TableName: 'merchants', hashKey: 'pk' },
  CONFIG_TABLE_NAME: { TableName: 'config', hashKey: 'pk', rangeKey: 'sk' },
  DELEGATION_TABLE_NAME: { TableName: 'delegations', hashKey: 'pk', rangeKey: 'sk' },
} as const satisfies Record<string, { TableName: string; hashKey: string; rangeKey?: string }>;

export type TableDefinition = { TableName: string; hashKey: string; rangeKey?: string };

export function createTableInput(table: TableDefinition): CreateTableCommandInput {
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

/**
 * Creates the table unless it exists, and waits until it is ACTIVE: a new table is CREATING
 * for a moment, even on dynalite, and reading it then answers ResourceNotFoundException.
 */
export async function ensureTable(client: DynamoDBClient, table: TableDefinition): Promise<void> {
  try {
    await client.send(new CreateTableCommand(createTableInput(table)));
  } catch (error) {
    if (!(error instanceof ResourceInUseException)) throw error;
  }
  await waitUntilTableExists({ client, maxWaitTime: 30, minDelay: 0.05, maxDelay: 1 }, { TableName: table.TableName });
}
