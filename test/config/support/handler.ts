import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { vi } from 'vitest';
import { TEST_CREDENTIALS, TEST_REGION } from './dynamodb.js';
import { configEvent, lambdaContext } from './events.js';

export const ORIGIN_SECRET = 'test-origin-secret-0123456789';

type Handler = (event: APIGatewayProxyEventV2, context: Context) => Promise<APIGatewayProxyStructuredResultV2>;

export interface ConfigReply {
  statusCode: number;
  headers: Record<string, string>;
  body: string | undefined;
  json: any;
}

/**
 * Loads functions/config/handler.ts as a fresh Lambda container would: the environment is set
 * first, then the module (and everything it imports) is evaluated anew.
 */
export async function loadConfigHandler(options: { dynamodbUrl: string; tableName?: string; env?: Record<string, string | undefined> }) {
  Object.assign(process.env, {
    AWS_REGION: TEST_REGION,
    AWS_ACCESS_KEY_ID: TEST_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: TEST_CREDENTIALS.secretAccessKey,
    AWS_ENDPOINT_URL_DYNAMODB: options.dynamodbUrl,
    POWERTOOLS_LOG_LEVEL: 'SILENT',
    CONFIG_TABLE_NAME: options.tableName ?? 'config',
    VIEWER_COUNTRY_ORIGIN_SECRET: ORIGIN_SECRET,
  });
  for (const name of ['CONFIG_CACHE_TTL_SECONDS', 'CONFIG_MAX_AGE_SECONDS', 'CONFIG_STALE_WHILE_REVALIDATE_SECONDS', 'CONFIG_STALE_IF_ERROR_SECONDS']) {
    delete process.env[name];
  }
  for (const [name, value] of Object.entries(options.env ?? {})) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  vi.resetModules();
  const module = (await import('../../../functions/config/handler.js')) as { handler: Handler };
  return async function getConfig(request: { query?: Record<string, string>; headers?: Record<string, string> } = {}): Promise<ConfigReply> {
    const result = await module.handler(configEvent(request), lambdaContext('config', 10_000));
    const headers = Object.fromEntries(Object.entries(result.headers ?? {}).map(([name, value]) => [name.toLowerCase(), String(value)]));
    return { statusCode: result.statusCode ?? 200, headers, body: result.body, json: result.body ? JSON.parse(result.body) : undefined };
  };
}
