// One bench mode in a process of its own: the handler reads its environment (the cache TTL
// among it) once at module load, as a Lambda container does, so each mode needs a fresh one.
// Runs lookups for BENCH_SECONDS after a warm-up; prints one JSON line: { requests, elapsedMs, reads }.
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { seedConfigIfEmpty } from '../local/seed-config.js';
import { createConfigTable, startDynalite, TEST_CREDENTIALS, TEST_REGION, testClients } from '../test/config/support/dynamodb.js';
import { configEvent, lambdaContext } from '../test/config/support/events.js';

const TABLE = 'config';
const ORIGIN_SECRET = 'bench-origin-secret-0123456789';
const durationMs = Number(process.env.BENCH_SECONDS ?? '2') * 1000;
const WARM_UP = 500;

// The launch countries, a country without an entry, Kosovo, and two header-only sources.
const EVENTS = [
  ...['DE', 'FR', 'US', 'GB', 'JP', 'CN', 'IN', 'BR', 'AT', 'XK'].map((country) => configEvent({ query: { country } })),
  configEvent({ headers: { 'accept-language': 'nl-NL,nl;q=0.9,en;q=0.5' } }),
  configEvent({ headers: { 'cloudfront-viewer-country': 'PL', 'x-origin-verify': ORIGIN_SECRET } }),
];

const dynalite = await startDynalite();
const { client } = testClients(dynalite.url);
await createConfigTable(client, TABLE);
await seedConfigIfEmpty({ dynamodb: client, tableName: TABLE });
client.destroy();

Object.assign(process.env, {
  AWS_REGION: TEST_REGION,
  AWS_ACCESS_KEY_ID: TEST_CREDENTIALS.accessKeyId,
  AWS_SECRET_ACCESS_KEY: TEST_CREDENTIALS.secretAccessKey,
  AWS_ENDPOINT_URL_DYNAMODB: dynalite.url,
  CONFIG_TABLE_NAME: TABLE,
  VIEWER_COUNTRY_ORIGIN_SECRET: ORIGIN_SECRET,
  POWERTOOLS_LOG_LEVEL: 'SILENT',
});
const { handler } = (await import('../functions/config/handler.js')) as {
  handler: (event: APIGatewayProxyEventV2, context: Context) => Promise<APIGatewayProxyStructuredResultV2>;
};
const context = lambdaContext('config', 10_000);

async function lookUp(i: number): Promise<void> {
  const result = await handler(EVENTS[i % EVENTS.length]!, context);
  if (result.statusCode !== 200) throw new Error(`lookup ${i} answered ${result.statusCode}: ${result.body}`);
}

for (let i = 0; i < WARM_UP; i += 1) await lookUp(i);
const readsBefore = dynalite.reads();
const started = performance.now();
let requests = 0;
while (performance.now() - started < durationMs) await lookUp(requests++);
const elapsedMs = performance.now() - started;
const reads = dynalite.reads() - readsBefore;
await dynalite.stop();
process.stdout.write(`${JSON.stringify({ requests, elapsedMs, reads })}\n`, () => process.exit(0));
