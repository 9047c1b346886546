import { readFileSync } from 'node:fs';
import { PROBLEM_CONTENT_TYPE } from '../../shared/http/problem.js';
import { type Route, ROUTES, routeKeyOf } from '../../shared/routes.js';
import { type FunctionAnswer, OPERATIONS, type OperationSpec, RESPONSE_HEADERS, type ResponseHeader } from './operations.js';
import { problemAnswers } from './problems.js';
import { componentSchemas, type JsonSchema } from './schemas.js';

const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

const ref = (component: string) => ({ $ref: `#/components/schemas/${component}` });

/** One way a route may answer with a status; several ways of one status become one response object. */
interface Answer {
  status: number;
  description: string;
  content?: { mediaType: string; schema: JsonSchema };
  headers: ReadonlyMap<string, boolean>;
}

/**
 * The OpenAPI 3.1 document of the API: paths from the route table (shared/routes.ts), bodies
 * from the zod schemas the functions parse with (and the answer schemas beside their types),
 * problem statuses from the server's own error mapping. Same code, same bytes: the committed
 * openapi.json is regenerated and compared on every `npm run check`.
 */
export function buildOpenApiDocument(): Record<string, unknown> {
  const routeKeys = new Set(ROUTES.map(routeKeyOf));
  const orphans = Object.keys(OPERATIONS).filter((key) => !routeKeys.has(key));
  if (orphans.length) throw new Error(`Operations without a route in shared/routes.ts: ${orphans.join(', ')}`);

  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of ROUTES) {
    const spec = OPERATIONS[routeKeyOf(route)];
    if (!spec) throw new Error(`${routeKeyOf(route)} has no operation in scripts/openapi/operations.ts`);
    (paths[route.path] ??= {})[route.method.toLowerCase()] = operationOf(route, spec);
  }
  return {
    openapi: '3.1.1',
    info: {
      title: 'signed-pay',
      version,
      summary: 'Signed payment responses, their verification service and country configuration.',
      description: 'The README (## API) explains every route; this document is generated from the code by `npm run openapi`.',
      license: { name: 'MIT', identifier: 'MIT' },
    },
    servers: [{ url: '/', description: "The deployment's ApiUrl (or CloudFrontUrl) output; http://127.0.0.1:3000 for `npm start`." }],
    tags: [
      { name: 'settlement', description: 'Payments, settled once per Idempotency-Key, with a signed payment response.' },
      { name: 'verification', description: 'Whether payment response data proves a completed payment.' },
      { name: 'keys', description: 'The public keys of the signatures, as JWK Sets.' },
      { name: 'config', description: "The client's configuration for its country." },
      { name: 'contract', description: 'This document.' },
    ],
    paths,
    components: {
      schemas: componentSchemas(),
      securitySchemes: {
        sigv4: {
          type: 'apiKey',
          in: 'header',
          name: 'Authorization',
          description:
            'AWS Signature Version 4 for execute-api: the default (`settlementAuthorizer=iam`). Call from a backend whose credentials may ' +
            '`execute-api:Invoke` the SettlementRouteArn output, at the ApiUrl (CloudFront rewrites Host, which breaks SigV4).',
        },
        jwt: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description:
            "With `settlementAuthorizer=jwt`: API Gateway's JWT authorizer checks the token's issuer and audience; its `iss` and " +
            '`jwtCallerClaim` name the caller in the merchant registry. Locally: `.local/dev-tokens.json`.',
        },
      },
    },
  };
}

function operationOf(route: Route, spec: OperationSpec): Record<string, unknown> {
  return {
    operationId: spec.operationId,
    tags: [spec.tag],
    summary: spec.summary,
    description: spec.description,
    // One deployment uses one of the two; public routes need none.
    security: route.access === 'authenticated' ? [{ sigv4: [] }, { jwt: [] }] : [],
    ...(spec.parameters ? { parameters: spec.parameters } : {}),
    ...(spec.requestBody ? { requestBody: { required: true, content: { 'application/json': { schema: ref(spec.requestBody) } } } } : {}),
    responses: responsesOf([...functionAnswers(spec), ...problemAnswersOf(spec), ...gatewayAnswers(route)]),
  };
}

/** Every function answer carries the request's correlation id (shared/observability/request-telemetry.ts). */
const FUNCTION_HEADERS: ReadonlyArray<[ResponseHeader, boolean]> = [['x-request-id', true]];

function functionAnswers(spec: OperationSpec): Answer[] {
  return Object.entries(spec.answers).map(([status, answer]: [string, FunctionAnswer]) => ({
    status: Number(status),
    description: answer.description,
    ...(answer.content ? { content: { mediaType: answer.content.mediaType, schema: ref(answer.content.schema) } } : {}),
    headers: new Map([...(Object.entries(answer.headers) as Array<[ResponseHeader, boolean]>), ...FUNCTION_HEADERS]),
  }));
}

function problemAnswersOf(spec: OperationSpec): Answer[] {
  return problemAnswers([...spec.problems, 'internal']).map(({ status, types, headers, requiredMembers }) => ({
    status,
    description: `A problem: ${types.map((type) => `\`${type}\``).join(', ')}.`,
    content: {
      mediaType: PROBLEM_CONTENT_TYPE,
      schema: {
        allOf: [ref('Problem'), { type: 'object', properties: { type: { enum: types }, status: { const: status } }, ...(requiredMembers.length ? { required: requiredMembers } : {}) }],
      },
    },
    headers: new Map([...headers, ...FUNCTION_HEADERS]),
  }));
}

/** What API Gateway answers before, or instead of, the function: `{"message": …}`, as the local stack plays it. */
function gatewayAnswers(route: Route): Answer[] {
  const answer = (status: number, description: string): Answer => ({
    status,
    description: `API Gateway: ${description}`,
    content: { mediaType: 'application/json', schema: ref('GatewayMessage') },
    headers: new Map([['apigw-requestid', false]]),
  });
  return [
    ...(route.access === 'authenticated'
      ? [answer(401, 'no or an invalid bearer token (JWT authorizer).'), answer(403, 'the SigV4 signature was refused (IAM authorizer).')]
      : []),
    ...(route.method === 'POST' ? [answer(413, 'the body is over 10 MB.')] : []),
    answer(429, 'throttled.'),
    answer(500, 'the function failed without answering (a crash, its timeout).'),
    answer(503, 'the integration timed out.'),
  ];
}

/** One response object per status: its ways of answering merged; a header is required when every way sends it. */
function responsesOf(answers: readonly Answer[]): Record<string, unknown> {
  const statuses = [...new Set(answers.map((answer) => answer.status))].sort((a, b) => a - b);
  return Object.fromEntries(
    statuses.map((status) => {
      const ways = answers.filter((answer) => answer.status === status);
      const content: Record<string, { schema: JsonSchema }> = {};
      for (const { content: body } of ways) {
        if (!body) continue;
        if (content[body.mediaType]) throw new Error(`Two answers of status ${status} share the media type ${body.mediaType}`);
        content[body.mediaType] = { schema: body.schema };
      }
      const undocumented = ways.flatMap((way) => [...way.headers.keys()]).filter((name) => !(name in RESPONSE_HEADERS));
      if (undocumented.length) throw new Error(`Status ${status} sends headers RESPONSE_HEADERS does not describe: ${undocumented.join(', ')}`);
      const names = Object.keys(RESPONSE_HEADERS).filter((name) => ways.some((way) => way.headers.has(name))) as ResponseHeader[];
      const headers = Object.fromEntries(
        names.map((name) => [name, { ...RESPONSE_HEADERS[name], required: ways.every((way) => way.headers.get(name) === true) }]),
      );
      return [
        String(status),
        {
          description: ways.map((way) => way.description).join(' Or '),
          ...(names.length ? { headers } : {}),
          ...(Object.keys(content).length ? { content } : {}),
        },
      ];
    }),
  );
}
