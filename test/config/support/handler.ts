import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { awsClientOptions } from '../../../shared/adapters/aws/client-options.js';
import { createConfigHandler } from '../../../functions/config/create-handler.js';
import { configEnvSchema } from '../../../functions/config/env.js';
import { parseEnv } from '../../../shared/lambda-env/parse-env.js';
import { TEST_CREDENTIALS, TEST_REGION } from './dynamodb.js';
import { recordContractViolations } from '../../support/openapi-contract.js';
import { configEvent, lambdaContext } from './events.js';

export const ORIGIN_SECRET = 'test-origin-secret-0123456789';

export interface ConfigReply {
  statusCode: number;
  headers: Record<string, string>;
  body: string | undefined;
  json: any;
}

/**
 * The config function as a fresh Lambda container would run it: its environment contract parsed
 * from `env` (never process.env), its DynamoDB client pointed at the test's dynalite.
 */
export async function loadConfigHandler(options: { dynamodbUrl: string; tableName?: string; env?: Record<string, string | undefined> }) {
  const env = parseEnv(configEnvSchema, {
    CONFIG_TABLE_NAME: options.tableName ?? 'config',
    VIEWER_COUNTRY_ORIGIN_SECRET: ORIGIN_SECRET,
    ...options.env,
  });
  const dynamodb = new DynamoDBClient({ ...awsClientOptions(env), endpoint: options.dynamodbUrl, region: TEST_REGION, credentials: TEST_CREDENTIALS });
  const handler = createConfigHandler(env, { dynamodb });
  return async function getConfig(request: { query?: Record<string, string>; headers?: Record<string, string> } = {}): Promise<ConfigReply> {
    const result = await handler(configEvent(request), lambdaContext('config', 10_000));
    const headers = Object.fromEntries(Object.entries(result.headers ?? {}).map(([name, value]) => [name.toLowerCase(), String(value)]));
    // The handler's answer must keep openapi.json as the API's does (test/support/contract-check.ts).
    recordContractViolations({ method: 'GET', path: '/v1/config' }, { statusCode: result.statusCode ?? 200, headers, body: result.body });
    return { statusCode: result.statusCode ?? 200, headers, body: result.body, json: result.body ? JSON.parse(result.body) : undefined };
  };
}
