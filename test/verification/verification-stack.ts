// The verification and jwks functions as Lambda runs them, on one machine: the local KMS endpoint,
// dynalite in memory, and the handlers built by their factories from their environment contracts.
import { httpApiEvent, lambdaContext } from '../support/http-api-event.js';
import { recordContractViolations } from '../support/openapi-contract.js';
import { ensureTable, LOCAL_TABLES } from '../../local/tables.js';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateKeyCommand, KMSClient, SignCommand } from '@aws-sdk/client-kms';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import dynalite from 'dynalite';
import ecdsaSigFormatter from 'ecdsa-sig-formatter';
import { startKmsServer } from '../../local/kms/kms-server.js';
import { base64url } from '../../shared/adapters/base64url.js';
import { DynamoDbLedger } from '../../shared/adapters/dynamodb-ledger.js';
import { toLowS } from '../../shared/adapters/ecdsa-low-s.js';
import { KmsJwsSigner } from '../../shared/adapters/kms-jws-signer.js';
import { fetchPublicJwk } from '../../shared/adapters/kms-public-keys.js';
import { PAYMENT_RESPONSE_TYP, type PaymentResponseClaims } from '../../shared/domain/settlement/payment-response.js';
import { createJwksHandler } from '../../functions/jwks/create-handler.js';
import { jwksEnvSchema } from '../../functions/jwks/env.js';
import { createVerificationHandler } from '../../functions/verification/create-handler.js';
import { verificationEnvSchema } from '../../functions/verification/env.js';
import { awsCallTimeoutsEnvSchema, awsClientOptions } from '../../shared/adapters/aws/client-options.js';
import { parseEnv } from '../../shared/lambda-env/parse-env.js';
import type { Route } from '../../shared/routes.js';

export const ISSUER = 'https://pay.example.test';
/** The payment that `paymentClaims()` signs for, as a caller confirming it would expect it. */
export const EXPECTED = { merchantId: 'm_123', orderId: 'o_456', amount: { value: 1999, currency: 'USD' } };
/** What every result echoes of a request that sent EXPECTED and no checkLedger. */
export const CHECKED = { expected: EXPECTED, checkLedger: false };
const LEDGER_TABLE = 'ledger';

export interface HandlerReply {
  statusCode: number;
  headers: Record<string, string>;
  body: Record<string, unknown>;
}

export interface VerificationStack {
  kms: KMSClient;
  ledger: DynamoDbLedger;
  /** current and previous are trusted; retired was trusted before the last rotation; verdict signs verdicts. */
  keyArns: { current: string; previous: string; retired: string; verdict: string };
  signWith(keyArn: string, claims: Record<string, unknown>, typ?: string): Promise<string>;
  /** Signs a header and payload written by hand (any JSON, any spelling) with a KMS key. */
  signRawWith(keyArn: string, headerJson: string, payloadJson: string): Promise<string>;
  /**
   * POST /v1/verifications with a JSON body (a string is sent as it is). An object without an
   * `expected` member expects the payment `paymentClaims()` describes (EXPECTED); send
   * `expected: undefined` to leave it out.
   */
  verify(body: unknown, headers?: Record<string, string>): Promise<HandlerReply>;
  /** GET on a route of the jwks function, as the verdict's relying party would fetch it. */
  jwks(path: '/.well-known/jwks.json' | '/.well-known/verdict-jwks.json'): Promise<HandlerReply>;
  /** How many calls of a KMS operation the local endpoint has answered, the stack's own setup included. */
  kmsCalls(operation: string): number;
  close(): Promise<void>;
}

/** Which keys' public halves the deployment writes into the functions' configuration (none by default). */
type DeployedKey = 'current' | 'previous' | 'verdict';

type LambdaHandler = (event: APIGatewayProxyEventV2, context: Context) => Promise<unknown>;

/**
 * Starts the services and builds the handlers from their factories, as a new Lambda container
 * would (each call is a cold start). `handlerEndpoints` points the handlers (only) elsewhere,
 * e.g. at a port nobody listens on.
 */
export async function startVerificationStack(
  options: { handlerEndpoints?: { kms?: string; dynamodb?: string }; deployedPublicKeys?: readonly DeployedKey[] } = {},
): Promise<VerificationStack> {
  const dataDir = await mkdtemp(join(tmpdir(), 'verification-'));
  const kmsServer = await startKmsServer({ dataDir, port: 0 });
  const dynamo = dynalite({ createTableMs: 0 });
  await new Promise<void>((resolve) => dynamo.listen(0, '127.0.0.1', resolve));
  const dynamoUrl = `http://127.0.0.1:${(dynamo.address() as AddressInfo).port}`;

  const clientConfig = { region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } };
  const kms = new KMSClient({ ...clientConfig, endpoint: kmsServer.url });
  const dynamodb = new DynamoDBClient({ ...clientConfig, endpoint: dynamoUrl });
  await ensureTable(dynamodb, { ...LOCAL_TABLES.LEDGER_TABLE_NAME, TableName: LEDGER_TABLE });
  const createKey = async (description: string) => {
    const { KeyMetadata } = await kms.send(
      new CreateKeyCommand({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY', Description: description }),
    );
    if (!KeyMetadata?.Arn) throw new Error('CreateKey returned no ARN');
    return KeyMetadata.Arn;
  };
  const keyArns = {
    retired: await createKey('retired payment key'),
    previous: await createKey('previous payment key'),
    current: await createKey('current payment key'),
    verdict: await createKey('verdict key'),
  };
  // The jwks function publishes the config key too; nothing here signs with it.
  const configKeyArn = await createKey('config key');

  // As the deployment's custom resource reads them (infra/constructs/public-key-jwks.ts).
  const deployed = options.deployedPublicKeys ?? [];
  const jwkOf = (key: DeployedKey) => fetchPublicJwk(kms, keyArns[key]);
  const paymentJwks = await Promise.all((['current', 'previous'] as const).filter((key) => deployed.includes(key)).map(jwkOf));
  const env = {
    TRUSTED_PAYMENT_KEY_ARNS: `${keyArns.current},${keyArns.previous}`,
    VERDICT_SIGNING_KEY_ARN: keyArns.verdict,
    CONFIG_SIGNING_KEY_ARN: configKeyArn,
    LEDGER_TABLE_NAME: LEDGER_TABLE,
    PAYMENT_ISSUER: ISSUER,
    ...(paymentJwks.length > 0 ? { TRUSTED_PAYMENT_PUBLIC_KEYS: JSON.stringify(paymentJwks) } : {}),
    ...(deployed.includes('verdict') ? { VERDICT_PUBLIC_KEY: JSON.stringify(await jwkOf('verdict')) } : {}),
  };
  // The handlers' own clients, as their factories make them, pointed at the emulators (or elsewhere).
  const handlerClient = <C>(Client: new (config: object) => C, endpoint: string) =>
    new Client({ ...awsClientOptions(parseEnv(awsCallTimeoutsEnvSchema, {})), ...clientConfig, endpoint });
  const handlerKms = handlerClient(KMSClient, options.handlerEndpoints?.kms ?? kmsServer.url);
  const handlerDynamodb = handlerClient(DynamoDBClient, options.handlerEndpoints?.dynamodb ?? dynamoUrl);
  const verification = createVerificationHandler(parseEnv(verificationEnvSchema, env), { kms: handlerKms, dynamodb: handlerDynamodb }) as unknown as LambdaHandler;
  const jwksHandler = createJwksHandler(parseEnv(jwksEnvSchema, env), { kms: handlerKms }) as unknown as LambdaHandler;

  return {
    kms,
    ledger: new DynamoDbLedger(DynamoDBDocumentClient.from(dynamodb), LEDGER_TABLE),
    keyArns,
    signWith: (keyArn, claims, typ = PAYMENT_RESPONSE_TYP) => new KmsJwsSigner(kms, keyArn).sign(typ, claims),
    async signRawWith(keyArn, headerJson, payloadJson) {
      const signingInput = `${base64url(headerJson)}.${base64url(payloadJson)}`;
      const { Signature } = await kms.send(
        new SignCommand({ KeyId: keyArn, Message: Buffer.from(signingInput), MessageType: 'RAW', SigningAlgorithm: 'ECDSA_SHA_256' }),
      );
      const rs = Buffer.from(ecdsaSigFormatter.derToJose(Buffer.from(Signature!), 'ES256'), 'base64url');
      return `${signingInput}.${base64url(toLowS(rs))}`;
    },
    async verify(body, headers = { 'content-type': 'application/json' }) {
      const withExpected = typeof body === 'object' && body !== null && !('expected' in body) ? { ...body, expected: EXPECTED } : body;
      const text = typeof withExpected === 'string' ? withExpected : JSON.stringify(withExpected);
      return replyOf(await verification(httpApiEvent('POST /v1/verifications', { body: text, headers }), lambdaContext('verification', 30_000)), { method: 'POST', path: '/v1/verifications' });
    },
    async jwks(path) {
      return replyOf(await jwksHandler(httpApiEvent(`GET ${path}`), lambdaContext('jwks', 30_000)), { method: 'GET', path });
    },
    kmsCalls: (operation) => kmsServer.callCount(operation),
    async close() {
      for (const client of [kms, dynamodb, handlerKms, handlerDynamodb]) client.destroy();
      await kmsServer.close();
      dynamo.closeAllConnections();
      await new Promise<void>((resolve) => dynamo.close(() => resolve()));
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** The claims settlement would sign for a settled payment, with a fresh payment id. */
export function paymentClaims(overrides: Partial<PaymentResponseClaims> = {}): PaymentResponseClaims {
  return {
    iss: ISSUER,
    jti: `pay_${randomBytes(32).toString('base64url')}`,
    iat: Math.floor(Date.now() / 1000),
    merchantId: 'm_123',
    orderId: 'o_456',
    amount: { value: 1999, currency: 'USD' },
    status: 'SETTLED',
    livemode: false,
    ...overrides,
  };
}


export { unreachableUrl } from '../support/network.js';

/** The handler's answer, which must keep openapi.json as the API's does (test/support/contract-check.ts). */
function replyOf(result: unknown, route: Pick<Route, 'method' | 'path'>): HandlerReply {
  const { statusCode, headers, body } = result as { statusCode: number; headers?: Record<string, string>; body?: string };
  recordContractViolations(route, { statusCode, headers, body });
  return { statusCode, headers: headers ?? {}, body: body ? (JSON.parse(body) as Record<string, unknown>) : {} };
}
