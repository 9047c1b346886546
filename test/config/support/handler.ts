import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KMSClient } from '@aws-sdk/client-kms';
import { awsClientOptions } from '../../../shared/adapters/aws/client-options.js';
import { createConfigHandler } from '../../../functions/config/create-handler.js';
import { configEnvSchema } from '../../../functions/config/env.js';
import { parseEnv } from '../../../shared/lambda-env/parse-env.js';
import { TEST_CREDENTIALS, TEST_REGION } from './dynamodb.js';
import { recordContractViolations } from '../../support/openapi-contract.js';
import { configEvent, lambdaContext } from './events.js';
import type { ConfigKms } from './kms.js';

export const ORIGIN_SECRET = 'test-origin-secret-0123456789';
export const TEST_ISSUER = 'https://pay.example.test';

export interface ConfigReply {
  statusCode: number;
  headers: Record<string, string>;
  body: string | undefined;
  json: any;
}

/**
 * The config function as a fresh Lambda container would run it: its environment contract parsed
 * from `env` (never process.env), its DynamoDB client pointed at the test's dynalite and its KMS
 * client at the test's KMS, which holds the config signing key.
 */
export async function loadConfigHandler(options: { dynamodbUrl: string; kms: ConfigKms; tableName?: string; env?: Record<string, string | undefined> }) {
  const env = parseEnv(configEnvSchema, {
    CONFIG_TABLE_NAME: options.tableName ?? 'config',
    VIEWER_COUNTRY_ORIGIN_SECRET: ORIGIN_SECRET,
    CONFIG_SIGNING_KEY_ARN: options.kms.keyArn,
    PAYMENT_ISSUER: TEST_ISSUER,
    ...options.env,
  });
  const clientOptions = { ...awsClientOptions(env), region: TEST_REGION, credentials: TEST_CREDENTIALS };
  const dynamodb = new DynamoDBClient({ ...clientOptions, endpoint: options.dynamodbUrl });
  const kms = new KMSClient({ ...clientOptions, endpoint: options.kms.url });
  const handler = createConfigHandler(env, { dynamodb, kms });
  return async function getConfig(request: { query?: Record<string, string>; headers?: Record<string, string> } = {}): Promise<ConfigReply> {
    const result = await handler(configEvent(request), lambdaContext('config', 10_000));
    const headers = Object.fromEntries(Object.entries(result.headers ?? {}).map(([name, value]) => [name.toLowerCase(), String(value)]));
    // The handler's answer must keep openapi.json as the API's does (test/support/contract-check.ts).
    recordContractViolations({ method: 'GET', path: '/v1/config' }, { statusCode: result.statusCode ?? 200, headers, body: result.body });
    return { statusCode: result.statusCode ?? 200, headers, body: result.body, json: result.body ? JSON.parse(result.body) : undefined };
  };
}

/** The directives of a Cache-Control header by name, as numbers; a directive without a value is `true`. */
export function cacheDirectives(header: string | undefined): Record<string, number | true> {
  return Object.fromEntries(
    (header ?? '').split(',').map((directive) => {
      const [name, value] = directive.trim().split('=') as [string, string | undefined];
      return [name, value === undefined ? true : Number(value)];
    }),
  );
}

/** The claims of an answer's signature, read without checking it (test/config/signed-config.test.ts checks signatures). */
export function claimsOf(token: string): Record<string, any> {
  return JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8')) as Record<string, any>;
}

/** A compact JWS: three base64url parts. */
export const COMPACT_JWS = /^[\w-]+\.[\w-]+\.[\w-]+$/;
