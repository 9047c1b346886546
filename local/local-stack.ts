import { randomBytes } from 'node:crypto';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KMSClient } from '@aws-sdk/client-kms';
import type { DynamoDbMerchantRegistry } from '../shared/adapters/dynamodb-merchant-registry.js';
import type { ConfigRolloutSummary } from '../functions/config-rollout/create-handler.js';
import type { EnvContracts } from '../functions/env-contracts.js';
import type { SigningMode } from '../shared/domain/delegation/delegation.js';
import type { EnvName } from '../shared/lambda-env/parse-env.js';
import { METRICS_NAMESPACE } from '../shared/observability/metric-names.js';
import { FUNCTION_IDS, type FunctionId, handlerEntryOf, ROUTES } from '../shared/routes.js';
import { type ApiServerOptions, type LambdaHandler, startApiServer } from './api-server.js';
import { bootstrapLocalResources, localMerchantRegistry } from './bootstrap.js';
import { startDynamoDb } from './dynamodb-server.js';
import { type DeployedPublicKeys, deployedPublicKeys } from './deployed-public-keys.js';
import { ensureJwtIssuer, type IssueOptions, LOCAL_JWT_ISSUER, type LocalJwtIssuer, throwawayJwtIssuer } from './jwt-issuer.js';
import { startCloudWatchServer } from './cloudwatch-server.js';
import { startKmsServer } from './kms/kms-server.js';
import { issueDevTokens } from './seed-merchants.js';
import type { LocalSigningKeys } from './signing-keys.js';
import { LOCAL_TABLES } from './tables.js';

export const REPOSITORY_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const LOCAL_REGION = 'us-east-1';
/** The alarm the local rollout driver watches, in the local CloudWatch endpoint (state OK until someone sets it). */
export const LOCAL_ROLLOUT_ALARM = 'config-errors';
const ROLLOUT_DRIVER_ENTRY = 'functions/config-rollout/handler.ts';

export interface LocalStackOptions {
  dataDir: string;
  port?: number;
  host?: string;
  dynamodbPort?: number;
  kmsPort?: number;
  /** The local CloudWatch endpoint (DescribeAlarms, SetAlarmState): the alarm source rollouts watch. */
  cloudwatchPort?: number;
  /**
   * How often the rollout driver runs, as the schedule runs it on AWS (every minute there).
   * 0: never on its own (tests run it with `advanceRollouts()`). @default 5 000
   */
  rolloutTickMs?: number;
  /**
   * DynamoDB and KMS endpoints to use instead of starting the embedded ones (moto_server, another
   * emulator, a fault proxy): tables, keys and seed data are created there.
   */
  endpoints?: { dynamodb?: string; kms?: string };
  /**
   * Sign requests per second the embedded KMS accepts before it answers ThrottlingException, as
   * the account's KMS quota would (see KmsServerOptions). Ignored with an external KMS
   * (`endpoints.kms`), whose limits are its own. @default no limit
   */
  kmsRequestsPerSecond?: number;
  /** How long a function may run, as its Lambda timeout: the deadline its AWS calls must meet. @default 10 000 */
  functionTimeoutMs?: number;
  /**
   * Whether the deployment step that writes the keys' public halves into the functions'
   * configuration runs, as the CDK app's custom resource does. Off, the functions fetch every
   * key from KMS on first use (a configuration without them). @default true
   */
  deployPublicKeys?: boolean;
  /** How settlement and verification sign (cdk.json context `signingMode`). @default SIGNING_MODE from the environment, else kms */
  signingMode?: SigningMode;
  fallback?: ApiServerOptions['fallback'];
  log?: (line: string) => void;
  onAnswer?: ApiServerOptions['onAnswer'];
}

export interface RunningLocalStack {
  url: string;
  dynamodbUrl: string;
  kmsUrl: string;
  /** The local CloudWatch endpoint: set LOCAL_ROLLOUT_ALARM's state there to stop a rollout. */
  cloudwatchUrl: string;
  /** Runs the rollout driver once, as a scheduled invocation does; what it did. */
  advanceRollouts(): Promise<ConfigRolloutSummary>;
  signingKeys: LocalSigningKeys;
  /** Which services are external (`endpoints`) rather than embedded. */
  external: { dynamodb: boolean; kms: boolean };
  /** Successful calls of one operation to the embedded KMS since start (tests use it to prove "no KMS call"). */
  kmsCalls(operation: string): number;
  /** A bearer token per seed merchant (m_123, m_demo), as written to `<dataDir>/dev-tokens.json`. */
  devTokens: Record<string, string>;
  /**
   * A bearer token for `subject` from the local issuer. Another `issuer` signs with a key of its
   * own, as a foreign identity provider would; `audience` and a negative `expiresInSeconds`
   * make tokens the authorizer refuses.
   */
  issueToken(subject: string, options?: IssueOptions & { issuer?: string }): Promise<string>;
  /** The merchant registry the settlement function reads (tests register other merchants with it). */
  merchants: DynamoDbMerchantRegistry;
  /** The variables the stack set for its functions, as CDK sets them on AWS (`sam local invoke` gets them too). */
  functionEnvironment: Record<string, string>;
  stop(): Promise<void>;
}

/**
 * The whole system on one machine: dynalite, the KMS-compatible endpoint, and API Gateway's
 * part played in front of the handlers CDK deploys. Handlers see AWS only through the SDK's
 * standard endpoint variables, so they run unchanged. One local stack per process: handlers
 * read their configuration from process.env once, as a Lambda container does.
 */
export async function startLocalStack(options: LocalStackOptions): Promise<RunningLocalStack> {
  const dataDir = resolve(options.dataDir);
  const external = { dynamodb: options.endpoints?.dynamodb !== undefined, kms: options.endpoints?.kms !== undefined };
  const dynamo = options.endpoints?.dynamodb
    ? externalService(options.endpoints.dynamodb)
    : await startDynamoDb({ dataDir, port: options.dynamodbPort, host: options.host });
  const kmsServer = options.endpoints?.kms
    ? { ...externalService(options.endpoints.kms), callCount: (): number => Number.NaN }
    : await startKmsServer({ dataDir, port: options.kmsPort, host: options.host, region: LOCAL_REGION, requestsPerSecond: options.kmsRequestsPerSecond });
  const cloudwatch = await startCloudWatchServer({ alarmNames: [LOCAL_ROLLOUT_ALARM], port: options.cloudwatchPort, host: options.host, region: LOCAL_REGION });
  // The local stack must never reach a real account, whatever credentials the shell holds.
  Object.assign(process.env, {
    AWS_REGION: LOCAL_REGION,
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_ENDPOINT_URL_DYNAMODB: dynamo.url,
    AWS_ENDPOINT_URL_KMS: kmsServer.url,
    AWS_ENDPOINT_URL_CLOUDWATCH: cloudwatch.url,
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  });
  delete process.env.AWS_SESSION_TOKEN;
  delete process.env.AWS_PROFILE;

  const dynamodb = new DynamoDBClient({});
  const kms = new KMSClient({});
  try {
    const signingKeys = await bootstrapLocalResources({ dynamodb, kms, dataDir, externalKmsEndpoint: options.endpoints?.kms });
    const publicKeys = options.deployPublicKeys === false ? undefined : await deployedPublicKeys(kms, signingKeys);
    const environment = functionEnvironment(signingKeys, publicKeys, options.signingMode);
    // A variable left unset is removed: an earlier stack of this process may have set it.
    for (const [name, value] of Object.entries(environment)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    const originSecret = randomBytes(24).toString('base64url');
    process.env.VIEWER_COUNTRY_ORIGIN_SECRET = originSecret;
    // The rollout driver's own variable (it is no routed function); its table is the config function's.
    process.env.ROLLOUT_ALARM_NAMES = LOCAL_ROLLOUT_ALARM;
    // No minimum bake locally (900 s on AWS, where the alarms need that long to fire): examples run in seconds.
    process.env.ROLLOUT_MIN_BAKE_SECONDS = '0';
    const jwtIssuer = await ensureJwtIssuer(dataDir);
    const devTokens = await issueDevTokens(jwtIssuer, dataDir);

    const api = await startApiServer({
      routes: ROUTES,
      handlers: await loadHandlers(),
      port: options.port,
      host: options.host,
      // The local stack plays CloudFront too, so CloudFront-Viewer-Country sent by a client is trusted.
      originHeaders: { 'x-origin-verify': originSecret },
      authorizeJwt: jwtAuthorizer(jwtIssuer, options.log),
      functionTimeoutMs: options.functionTimeoutMs,
      fallback: options.fallback,
      log: options.log,
      onAnswer: options.onAnswer,
    });
    // Its own client: the bootstrap's is destroyed below, the registry lives as long as the stack.
    const registryClient = new DynamoDBClient({});
    const rolloutDriver = await loadRolloutDriver();
    const rolloutTicks = rolloutTimer(rolloutDriver, options.rolloutTickMs ?? 5_000, options.log);
    return {
      url: api.url,
      dynamodbUrl: dynamo.url,
      kmsUrl: kmsServer.url,
      cloudwatchUrl: cloudwatch.url,
      advanceRollouts: () => rolloutDriver({ source: 'aws.events', 'detail-type': 'Scheduled Event' }),
      signingKeys,
      external,
      kmsCalls: (operation) => kmsServer.callCount(operation),
      devTokens,
      issueToken: async (subject, { issuer, ...issueOptions } = {}) => {
        const signer = issuer === undefined || issuer === LOCAL_JWT_ISSUER ? jwtIssuer : await throwawayJwtIssuer(issuer);
        return signer.issue(subject, issueOptions);
      },
      merchants: localMerchantRegistry(registryClient),
      functionEnvironment: { ...definedOnly(environment), VIEWER_COUNTRY_ORIGIN_SECRET: originSecret },
      stop: async () => {
        await rolloutTicks.stop();
        registryClient.destroy();
        await api.close();
        await Promise.all([dynamo.close(), kmsServer.close(), cloudwatch.close()]);
      },
    };
  } catch (error) {
    await Promise.all([dynamo.close(), kmsServer.close(), cloudwatch.close()]);
    throw error;
  } finally {
    dynamodb.destroy();
    kms.destroy();
  }
}

function definedOnly(variables: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(Object.entries(variables).filter((entry): entry is [string, string] => entry[1] !== undefined));
}

/** A service the stack uses but did not start: nothing to stop. */
function externalService(url: string): { url: string; close(): Promise<void> } {
  return { url: url.replace(/\/+$/, ''), close: async () => undefined };
}

/** The environment CDK gives the functions, with local values. Explicit settings of the shell win where it makes sense. */
function functionEnvironment(keys: LocalSigningKeys, publicKeys: DeployedPublicKeys | undefined, signingMode: SigningMode | undefined): Record<string, string | undefined> {
  const contracts: Partial<Record<AnyFunctionEnvName, string>> = {
    PAYMENT_SIGNING_KEY_ARN: keys.paymentKeyArns[0]!,
    TRUSTED_PAYMENT_KEY_ARNS: keys.paymentKeyArns.join(','),
    TRUSTED_PAYMENT_PUBLIC_KEYS: publicKeys?.trustedPaymentKeys,
    VERDICT_SIGNING_KEY_ARN: keys.verdictKeyArn,
    VERDICT_PUBLIC_KEY: publicKeys?.verdictKey,
    CONFIG_SIGNING_KEY_ARN: keys.configKeyArn,
    CONFIG_PUBLIC_KEY: publicKeys?.configKey,
    PAYMENT_ISSUER: process.env.PAYMENT_ISSUER ?? 'signed-pay-local',
    CONFIG_CACHE_TTL_SECONDS: process.env.CONFIG_CACHE_TTL_SECONDS ?? '30',
    MERCHANT_CACHE_TTL_SECONDS: process.env.MERCHANT_CACHE_TTL_SECONDS ?? '30',
    // `SIGNING_MODE=delegated npm start` runs the deployment's opt-in mode (cdk.json context signingMode).
    SIGNING_MODE: signingMode ?? process.env.SIGNING_MODE ?? 'kms',
    DELEGATION_LIFETIME_SECONDS: process.env.DELEGATION_LIFETIME_SECONDS,
    DELEGATION_REVOCATION_CHECK_SECONDS: process.env.DELEGATION_REVOCATION_CHECK_SECONDS,
    // Locally, always the sandbox: no local stack may reach a real processor.
    PAYMENT_PROCESSOR: 'sandbox',
    // The local issuer names the caller in `sub`, as the seed merchants' callers expect.
    CALLER_JWT_CLAIM: 'sub',
    // The namespace CDK sets too: locally emitted EMF names the metrics the alarms watch.
    POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
    ...tableNames(),
  };
  // Powertools' own variables, which the Lambda runtime and CDK set on AWS. No POWERTOOLS_SERVICE_NAME:
  // each function logs and measures under its own id (function-observability.ts), as on AWS.
  return {
    ...contracts,
    POWERTOOLS_LOG_LEVEL: process.env.POWERTOOLS_LOG_LEVEL ?? 'WARN',
  };
}

/** A variable of some function's environment contract: the local stack sets these names only. */
type AnyFunctionEnvName = { [Id in FunctionId]: EnvName<EnvContracts[Id]> }[FunctionId];

/** Each local table under the variable its functions read it by (a type error if no contract has that name). */
function tableNames(): Partial<Record<AnyFunctionEnvName, string>> {
  const variables: ReadonlyArray<keyof typeof LOCAL_TABLES & AnyFunctionEnvName> = Object.keys(LOCAL_TABLES) as Array<keyof typeof LOCAL_TABLES>;
  return Object.fromEntries(variables.map((variable) => [variable, LOCAL_TABLES[variable].TableName]));
}

/**
 * API Gateway's JWT authorizer, configured with the local issuer and audience. Why a token was
 * refused goes to the log (API Gateway tells it in `www-authenticate`); the token itself never does.
 */
function jwtAuthorizer(issuer: LocalJwtIssuer, log: ((line: string) => void) | undefined): ApiServerOptions['authorizeJwt'] {
  return async (token) => {
    try {
      return await issuer.verify(token);
    } catch (error) {
      log?.(`JWT authorizer refused the token: ${(error as Error).message}`);
      return undefined;
    }
  };
}

type RolloutDriver = (event: unknown) => Promise<ConfigRolloutSummary>;

/** The Lambda entry EventBridge invokes on AWS, loaded the same way (its environment is read once). */
async function loadRolloutDriver(): Promise<RolloutDriver> {
  const module = (await import(pathToFileURL(join(REPOSITORY_ROOT, ROLLOUT_DRIVER_ENTRY)).href)) as { handler: RolloutDriver };
  return module.handler;
}

/** The schedule, locally: one run at a time, never overlapping; a failed run is logged and the next one starts over. */
function rolloutTimer(driver: RolloutDriver, everyMs: number, log: ((line: string) => void) | undefined): { stop(): Promise<void> } {
  if (everyMs <= 0) return { stop: async () => undefined };
  let running: Promise<void> = Promise.resolve();
  const timer = setInterval(() => {
    running = running.then(async () => {
      try {
        for (const advance of (await driver({ source: 'aws.events', 'detail-type': 'Scheduled Event' })).advances) {
          log?.(`Rollout ${advance.rollout}: ${advance.step}${advance.reason ? ` (${advance.reason})` : ''}`);
        }
      } catch (error) {
        log?.(`Rollout driver failed: ${(error as Error).message}`);
      }
    });
  }, everyMs);
  timer.unref();
  return {
    stop: async () => {
      clearInterval(timer);
      await running;
    },
  };
}

async function loadHandlers(): Promise<Record<FunctionId, LambdaHandler>> {
  const entries = await Promise.all(
    FUNCTION_IDS.map(async (id) => {
      const module = (await import(pathToFileURL(join(REPOSITORY_ROOT, handlerEntryOf(id))).href)) as { handler: LambdaHandler };
      return [id, module.handler] as const;
    }),
  );
  return Object.fromEntries(entries) as Record<FunctionId, LambdaHandler>;
}
