import { join } from 'node:path';
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

/** Which table a CLI operates: the env var the deployed stack's output goes into, and the local stack's name for it. */
export interface TableChoice {
  variable: string;
  localName: string;
}

export const CONFIG_TABLE: TableChoice = { variable: 'CONFIG_TABLE_NAME', localName: 'config' };
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
  /** Default: the config table. */
  tableChoice?: TableChoice;
}): Target {
  const { env } = options;
  const choice = options.tableChoice ?? CONFIG_TABLE;
  const endpoint = options.localEndpoint ?? (env.AWS_ENDPOINT_URL_DYNAMODB || undefined);
  const tableName = options.table ?? (env[choice.variable] || undefined) ?? (endpoint ? choice.localName : undefined);
  if (!tableName) {
    throw new TargetError(
      `Say which table to use: --table <name> or ${choice.variable} (the deployed stack outputs it). For the local stack, use --local or set AWS_ENDPOINT_URL_DYNAMODB.`,
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

/** What `npm start` writes to `<LOCAL_DATA_DIR or .local>/endpoints.json` for tools to find it. */
export interface LocalStackEndpoints {
  dynamodb: string;
  /** The local CloudWatch endpoint (the alarms rollouts watch); older files lack it. */
  cloudwatch?: string;
  /** The stack's data directory (its issuer key, dev tokens); older files lack it. */
  dataDir: string;
}

/** Finds the running local stack (--local). Exit code 3 when there is none: nothing to connect to. */
export async function readLocalEndpoints(io: {
  env: Record<string, string | undefined>;
  readFile(path: string): Promise<string>;
}): Promise<LocalStackEndpoints> {
  const localDataDir = io.env.LOCAL_DATA_DIR || '.local';
  const path = join(localDataDir, 'endpoints.json');
  let endpoints: { dynamodb?: unknown; cloudwatch?: unknown; dataDir?: unknown };
  try {
    endpoints = JSON.parse(await io.readFile(path)) as typeof endpoints;
  } catch {
    throw new TargetError(`No local stack found (${path} is missing or unreadable): start it with 'npm start'.`, 3);
  }
  if (typeof endpoints.dynamodb !== 'string') throw new TargetError(`${path} names no DynamoDB endpoint: restart the local stack.`, 3);
  return {
    dynamodb: endpoints.dynamodb,
    ...(typeof endpoints.cloudwatch === 'string' ? { cloudwatch: endpoints.cloudwatch } : {}),
    dataDir: typeof endpoints.dataDir === 'string' ? endpoints.dataDir : localDataDir,
  };
}
