import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { lockDataDirOrExit } from './data-dir-lock.js';
import { serveDemo } from './demo/serve-demo.js';
import { LOCAL_ROLLOUT_ALARM, startLocalStack } from './local-stack.js';
import { samEnvFile } from './sam-env.js';
import { SIGNING_MODES, type SigningMode } from '../shared/domain/delegation/delegation.js';

/**
 * `npm start`: the whole system locally. PORT (default 3000) is the API; DynamoDB and KMS
 * listen on the next two ports unless LOCAL_DYNAMODB_PORT / LOCAL_KMS_PORT say otherwise, or
 * AWS_ENDPOINT_URL_DYNAMODB / AWS_ENDPOINT_URL_KMS name services to use instead.
 * LOCAL_KMS_REQUESTS_PER_SECOND makes the embedded KMS throttle Sign above that rate, as KMS's quota does;
 * SIGNING_MODE=delegated runs the functions in the deployment's delegated signing mode.
 * The local CloudWatch (the alarms staged rollouts watch) listens on the third port after PORT
 * (LOCAL_CLOUDWATCH_PORT); the rollout driver runs every LOCAL_ROLLOUT_TICK_SECONDS (5; 0 never).
 */
function portFrom(value: string | undefined, fallback: number, name: string): number {
  if (value === undefined || value === '') return fallback;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`${name} must be a port number from 0 to 65535, got '${value}'`);
    process.exit(2);
  }
  return port;
}

/** Unset or empty: no limit. Anything but a whole number above 0 stops the start, rather than running unthrottled. */
function requestsPerSecondFrom(value: string | undefined, name: string): number | undefined {
  if (value === undefined || value === '') return undefined;
  if (!/^[1-9][0-9]*$/.test(value)) {
    console.error(`${name} must be a whole number of requests per second above 0 (KMS's Sign quota to play), got '${value}'`);
    process.exit(2);
  }
  return Number(value);
}

/** How often the rollout driver runs: unset or empty, every 5 s; 0, never. */
function tickSecondsFrom(value: string | undefined): number {
  if (value === undefined || value === '') return 5;
  if (!/^\d{1,5}$/.test(value)) {
    console.error(`LOCAL_ROLLOUT_TICK_SECONDS must be a whole number of seconds (0: the rollout driver never runs), got '${value}'`);
    process.exit(2);
  }
  return Number(value);
}

/** Unset or empty: kms, as a deployment without the signingMode context. */
function signingModeFrom(value: string | undefined): SigningMode {
  if (value === undefined || value === '') return 'kms';
  if (!(SIGNING_MODES as readonly string[]).includes(value)) {
    console.error(`SIGNING_MODE must be one of ${SIGNING_MODES.join(', ')} (cdk.json context signingMode), got '${value}'`);
    process.exit(2);
  }
  return value as SigningMode;
}

const port = portFrom(process.env.PORT, 3000, 'PORT');
const signingMode = signingModeFrom(process.env.SIGNING_MODE);
const kmsRequestsPerSecond = requestsPerSecondFrom(process.env.LOCAL_KMS_REQUESTS_PER_SECOND, 'LOCAL_KMS_REQUESTS_PER_SECOND');
const neighbour = (offset: number) => (port === 0 ? 0 : port + offset);
const dataDir = resolve(process.env.LOCAL_DATA_DIR || '.local');
mkdirSync(dataDir, { recursive: true });
// Held while the stack runs: `npm run keys:rotate` refuses meanwhile, as does a second `npm start`.
const releaseDataDir = lockDataDirOrExit(dataDir, 'npm start', 1);
process.on('exit', releaseDataDir);

// The demo page asks for its token per request; the stack issues it once started.
let demoToken: string | undefined;
const stack = await startLocalStack({
  dataDir,
  port,
  host: process.env.HOST || '127.0.0.1',
  dynamodbPort: portFrom(process.env.LOCAL_DYNAMODB_PORT, neighbour(1), 'LOCAL_DYNAMODB_PORT'),
  kmsPort: portFrom(process.env.LOCAL_KMS_PORT, neighbour(2), 'LOCAL_KMS_PORT'),
  cloudwatchPort: portFrom(process.env.LOCAL_CLOUDWATCH_PORT, neighbour(3), 'LOCAL_CLOUDWATCH_PORT'),
  rolloutTickMs: tickSecondsFrom(process.env.LOCAL_ROLLOUT_TICK_SECONDS) * 1000,
  kmsRequestsPerSecond,
  signingMode,
  // Bring your own: with the SDK's standard endpoint variables set (moto_server, a proxy), those
  // services are used instead of the embedded ones.
  endpoints: {
    dynamodb: process.env.AWS_ENDPOINT_URL_DYNAMODB || undefined,
    kms: process.env.AWS_ENDPOINT_URL_KMS || undefined,
  },
  fallback: serveDemo({ accessToken: () => demoToken, log: (line) => console.log(line) }),
  log: (line) => console.log(line),
});

demoToken = stack.devTokens.m_demo;

const endpoints = { api: stack.url, dynamodb: stack.dynamodbUrl, kms: stack.kmsUrl, cloudwatch: stack.cloudwatchUrl, dataDir };
// Tools such as `npm run config` and the tests find the running stack through this file.
writeFileSync(join(dataDir, 'endpoints.json'), `${JSON.stringify(endpoints, null, 2)}\n`);
// `sam local invoke --env-vars` takes this file to run a synthesized function against this stack.
const samEnvPath = join(dataDir, 'sam-env.json');
writeFileSync(samEnvPath, `${JSON.stringify(samEnvFile(stack.functionEnvironment, { dynamodb: stack.dynamodbUrl, kms: stack.kmsUrl }), null, 2)}\n`);
console.log(`Demo      ${stack.url}/   (the checkout page; ?country=JP picks a country)`);
console.log(`API       ${stack.url}`);
console.log(`  POST ${stack.url}/v1/settlements`);
console.log(`  POST ${stack.url}/v1/verifications`);
console.log(`  GET  ${stack.url}/v1/config`);
console.log(`  GET  ${stack.url}/.well-known/jwks.json   (and /.well-known/verdict-jwks.json, /.well-known/config-jwks.json)`);
console.log(`  GET  ${stack.url}/openapi.json   (the API contract)`);
const origin = (external: boolean) => (external ? 'external, from the environment' : 'embedded');
console.log(`DynamoDB  ${stack.dynamodbUrl}   (${origin(stack.external.dynamodb)}; AWS_ENDPOINT_URL_DYNAMODB)`);
console.log(`KMS       ${stack.kmsUrl}   (${origin(stack.external.kms)}; AWS_ENDPOINT_URL_KMS)`);
console.log(`Alarms    ${stack.cloudwatchUrl}   (CloudWatch DescribeAlarms/SetAlarmState; rollouts watch '${LOCAL_ROLLOUT_ALARM}': npm run config -- alarm ${LOCAL_ROLLOUT_ALARM} ALARM --local)`);
if (kmsRequestsPerSecond !== undefined) {
  const quota = `at most ${kmsRequestsPerSecond} Sign requests per second, then ThrottlingException`;
  console.log(`  ${stack.external.kms ? 'LOCAL_KMS_REQUESTS_PER_SECOND is ignored: the KMS in use is external' : quota}`);
}
console.log(`Signing   ${signingMode}   (${signingMode === 'delegated' ? 'ephemeral keys certified by the KMS keys, one Sign per delegation' : 'one KMS Sign per token; SIGNING_MODE=delegated for the other mode'})`);
console.log(`Data      ${dataDir}   (sam local invoke --env-vars ${samEnvPath})`);
// Bearer tokens of the seed merchants from the local issuer (90 days, new ones on every start).
for (const [merchantId, token] of Object.entries(stack.devTokens)) console.log(`Token ${merchantId.padEnd(7)} ${token}`);
console.log(`  export TOKEN=$(node -p "require('${join(dataDir, 'dev-tokens.json')}').m_123")`);
console.log('  curl -H "authorization: Bearer $TOKEN" …   (npm run merchants -- token <id> --local for others)');
console.log('Local stack ready. Ctrl-C stops it.');

let stopping = false;
async function stop(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  console.log(`${signal}: stopping the local stack`);
  await stack.stop();
  process.exit(0);
}
process.on('SIGINT', () => void stop('SIGINT'));
process.on('SIGTERM', () => void stop('SIGTERM'));
