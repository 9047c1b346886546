import type { DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';

/** The CLI cannot tell where to connect: a usage problem (2), or no local stack running (3). */
export class TargetError extends Error {
  constructor(
    message: string,
    readonly exitCode: 2 | 3 = 2,
  ) {
    super(message);
  }
}

export interface Target {
  tableName: string;
  clientConfig: DynamoDBClientConfig;
  /** Where requests go, for messages: the endpoint, or the AWS region. */
  description: string;
}

export const LOCAL_TABLE_NAME = 'config';
export const LOCAL_REGION = 'us-east-1';

/**
 * Works out which DynamoDB and which table to talk to. A local endpoint (from --local or
 * AWS_ENDPOINT_URL_DYNAMODB) gets the local table name, region and dummy credentials unless
 * the caller set their own; without one, the SDK's default chains find credentials and region.
 */
export function resolveTarget(options: {
  table: string | undefined;
  localEndpoint: string | undefined;
  env: Record<string, string | undefined>;
}): Target {
  const { env } = options;
  const endpoint = options.localEndpoint ?? (env.AWS_ENDPOINT_URL_DYNAMODB || undefined);
  const tableName = options.table ?? (env.CONFIG_TABLE_NAME || undefined) ?? (endpoint ? LOCAL_TABLE_NAME : undefined);
  if (!tableName) {
    throw new TargetError(
      'Say which table to use: --table <name> or CONFIG_TABLE_NAME (the deployed stack outputs it). For the local stack, use --local or set AWS_ENDPOINT_URL_DYNAMODB.',
    );
  }
  const region = env.AWS_REGION || env.AWS_DEFAULT_REGION || (endpoint ? LOCAL_REGION : undefined);
  const hasOwnCredentials = Boolean(env.AWS_ACCESS_KEY_ID || env.AWS_PROFILE);
  const clientConfig: DynamoDBClientConfig = {
    ...(endpoint ? { endpoint } : {}),
    ...(region ? { region } : {}),
    ...(endpoint && !hasOwnCredentials ? { credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } : {}),
  };
  return { tableName, clientConfig, description: endpoint ? `${endpoint}, table ${tableName}` : `table ${tableName} in ${region ?? 'the default region'}` };
}
