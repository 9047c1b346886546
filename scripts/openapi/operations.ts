import { idempotencyKeySchema } from '../../shared/domain/identifiers.js';
import { DEFAULT_MAX_BODY_BYTES } from '../../shared/http/body-limit.js';
import { querySchema as configQuerySchema } from '../../shared/http/config/config-request.js';
import { CONFIG_JWKS_PATH, OPENAPI_PATH, PAYMENT_JWKS_PATH, routeKeyOf, VERDICT_JWKS_PATH } from '../../shared/routes.js';
import type { ProblemCode } from './problems.js';
import { inlineSchema, type JsonSchema } from './schemas.js';

/** The response headers the API documents, by their lower-case name (as HTTP/2 and API Gateway send them). */
export const RESPONSE_HEADERS = {
  'cache-control': { description: 'How long the answer may be reused; `no-store` for payments, verifications and problems.', schema: { type: 'string' } },
  etag: { description: 'A strong validator of the body: send it back in If-None-Match.', schema: { type: 'string', pattern: '^(W/)?"[^"]*"$' } },
  vary: { description: 'The request headers the answer depends on.', schema: { type: 'string' } },
  'retry-after': { description: 'Seconds to wait before retrying (RFC 9110 §10.2.3).', schema: { type: 'string', pattern: '^[0-9]+$' } },
  'idempotent-replayed': {
    description: 'The stored answer to an earlier request with this Idempotency-Key and body: nothing new was charged or signed.',
    schema: { type: 'string', const: 'true' },
  },
  'x-config-stale': {
    description: 'The last known configuration, served while the store could not be read fresh.',
    schema: { type: 'string', const: 'true' },
  },
  'x-request-id': { description: "The request's correlation id (API Gateway's request id), as the function logs it.", schema: { type: 'string', minLength: 1 } },
  'apigw-requestid': {
    description: "API Gateway's own request id header: on its own answers the only id there is (the local stack does not send it).",
    schema: { type: 'string' },
  },
} as const satisfies Record<string, { description: string; schema: JsonSchema }>;

export type ResponseHeader = keyof typeof RESPONSE_HEADERS;

/** What a function answers besides problems: the status, its body and its headers (true: always sent). */
export interface FunctionAnswer {
  description: string;
  content?: { mediaType: string; schema: string };
  headers: Partial<Record<ResponseHeader, boolean>>;
}

export interface OperationSpec {
  operationId: string;
  tag: string;
  summary: string;
  description: string;
  parameters?: Array<Record<string, unknown>>;
  /** The component schema of a JSON body. */
  requestBody?: string;
  answers: Record<number, FunctionAnswer>;
  /** The problem codes the function may answer; `internal` (500) is added to every operation. */
  problems: ProblemCode[];
}

const ifNoneMatch = {
  name: 'If-None-Match',
  in: 'header',
  required: false,
  description: 'ETags of copies the client holds: a match answers 304 with no body.',
  schema: { type: 'string' },
};

const jwksAnswer = (description: string): FunctionAnswer => ({
  description,
  content: { mediaType: 'application/jwk-set+json', schema: 'Jwks' },
  headers: { 'cache-control': true },
});

/** Every route of shared/routes.ts, by route key: the generator refuses a route without one, or one without a route. */
export const OPERATIONS: Readonly<Record<string, OperationSpec>> = {
  [routeKeyOf({ method: 'POST', path: '/v1/settlements' })]: {
    operationId: 'settle',
    tag: 'settlement',
    summary: 'Settle a payment once per Idempotency-Key and sign its payment response',
    description:
      "The merchant is the authenticated caller's (merchant registry), never one the body names. " +
      `Body: JSON, at most ${DEFAULT_MAX_BODY_BYTES / 1024} KiB. The sandbox processor settles tok_success, declines tok_decline and fails on tok_error.`,
    parameters: [
      {
        name: 'Idempotency-Key',
        in: 'header',
        required: true,
        description: 'Scoped to the merchant and bound to its payment for as long as the ledger keeps it (never charged twice); the same key and body replay the stored answer for 24 hours, then answer 410 idempotency-key-expired.',
        schema: inlineSchema(idempotencyKeySchema),
      },
    ],
    requestBody: 'SettlementRequest',
    answers: {
      201: {
        description: 'Settled, or the replay of a settled payment.',
        content: { mediaType: 'application/json', schema: 'SettlementResult' },
        headers: { 'cache-control': true, 'idempotent-replayed': false },
      },
      402: {
        description: 'Declined, or the replay of a declined payment: signed all the same.',
        content: { mediaType: 'application/json', schema: 'SettlementResult' },
        headers: { 'cache-control': true, 'idempotent-replayed': false },
      },
    },
    problems: [
      'validation-failed',
      'malformed-body',
      'unsupported-media-type',
      'payload-too-large',
      'unknown-caller',
      'merchant-suspended',
      'merchant-mismatch',
      'livemode-unavailable',
      'request-in-flight',
      'idempotency-key-reused',
      'idempotency-key-expired',
      'processor-unavailable',
      'merchants-unavailable',
      'ledger-unavailable',
      'signing-unavailable',
    ],
  },
  [routeKeyOf({ method: 'GET', path: PAYMENT_JWKS_PATH })]: {
    operationId: 'getPaymentKeys',
    tag: 'keys',
    summary: 'The public keys whose payment responses verifiers must accept',
    description: "`kid` equals the payment response header's. Cacheable for 5 minutes; a rotation lists the previous key too.",
    answers: { 200: jwksAnswer('The payment response keys, current first.') },
    problems: ['payload-too-large', 'keys-unavailable'],
  },
  [routeKeyOf({ method: 'GET', path: VERDICT_JWKS_PATH })]: {
    operationId: 'getVerdictKeys',
    tag: 'keys',
    summary: 'The public key that signs verification verdicts',
    description: 'Never listed in the payment response keys: no key is trusted for two purposes.',
    answers: { 200: jwksAnswer('The verdict keys.') },
    problems: ['payload-too-large', 'keys-unavailable'],
  },
  [routeKeyOf({ method: 'GET', path: CONFIG_JWKS_PATH })]: {
    operationId: 'getConfigKeys',
    tag: 'keys',
    summary: 'The public key that signs configuration answers',
    description:
      "The `signature` of GET /v1/config (typ client-config+jwt) verifies against this key set; `kid` equals the JWS header's. " +
      'Never listed in the payment response or verdict keys, nor they here: no key is trusted for two purposes. Cacheable for 5 minutes.',
    answers: { 200: jwksAnswer('The configuration keys.') },
    problems: ['payload-too-large', 'keys-unavailable'],
  },
  [routeKeyOf({ method: 'POST', path: '/v1/verifications' })]: {
    operationId: 'verifyPayment',
    tag: 'verification',
    summary: 'Check payment response data against the predefined rule and say whether the payment completed',
    description:
      `Any token, even garbage, gets 200 with a reason. Body: JSON, at most ${DEFAULT_MAX_BODY_BYTES / 1024} KiB. ` +
      'With `checkLedger`, a completed payment is also confirmed by the ledger; with a `nonce`, the result is signed as a verdict.',
    requestBody: 'VerificationRequest',
    answers: {
      200: {
        description: 'The verification result.',
        content: { mediaType: 'application/json', schema: 'VerificationResponse' },
        headers: { 'cache-control': true },
      },
    },
    problems: ['validation-failed', 'malformed-body', 'unsupported-media-type', 'payload-too-large', 'ledger-unavailable', 'verdict-unavailable'],
  },
  [routeKeyOf({ method: 'GET', path: '/v1/config' })]: {
    operationId: 'getConfig',
    tag: 'config',
    summary: "The configuration for the client's country, layered and cacheable",
    description:
      'The country comes from the `country` parameter, else CloudFront-Viewer-Country (trusted only through CloudFront), ' +
      'else the region of the best-weighted Accept-Language tag that has one, else none (`source` says which). ' +
      '`signature` signs country, source, version and config (typ client-config+jwt, keys at /.well-known/config-jwks.json); ' +
      "Cache-Control never lets a copy outlive the signature's `exp`. A configuration that cannot be signed is a 503, never an unsigned answer.",
    parameters: [
      {
        name: 'country',
        in: 'query',
        required: false,
        description: 'ISO 3166-1 alpha-2, any case (`de`, `XK` for Kosovo).',
        schema: inlineSchema(configQuerySchema.shape.country, { pattern: '^[A-Za-z]{2}$' }),
      },
      {
        name: 'explain',
        in: 'query',
        required: false,
        description: '`1`, `true` or bare: add which layer every field came from.',
        schema: inlineSchema(configQuerySchema.shape.explain),
      },
      { name: 'Accept-Language', in: 'header', required: false, schema: { type: 'string' } },
      {
        name: 'CloudFront-Viewer-Country',
        in: 'header',
        required: false,
        description: 'Set by CloudFront; trusted only on requests that came through it.',
        schema: { type: 'string' },
      },
      ifNoneMatch,
    ],
    answers: {
      200: {
        description: 'The merged configuration and its signature.',
        content: { mediaType: 'application/json', schema: 'ConfigResponse' },
        headers: { etag: true, 'cache-control': true, vary: true, 'x-config-stale': false },
      },
      304: {
        description: "The client's copy (If-None-Match) is current.",
        headers: { etag: true, 'cache-control': true, vary: true, 'x-config-stale': false },
      },
    },
    problems: ['validation-failed', 'payload-too-large', 'config-unavailable'],
  },
  [routeKeyOf({ method: 'GET', path: OPENAPI_PATH })]: {
    operationId: 'getOpenApi',
    tag: 'contract',
    summary: 'This document',
    description: 'The API contract as OpenAPI 3.1, generated from the schemas the functions use (`npm run openapi`).',
    parameters: [ifNoneMatch],
    answers: {
      200: {
        description: 'The OpenAPI document.',
        content: { mediaType: 'application/vnd.oai.openapi+json;version=3.1', schema: 'OpenApiDocument' },
        headers: { etag: true, 'cache-control': true },
      },
      304: { description: "The client's copy (If-None-Match) is current.", headers: { etag: true, 'cache-control': true } },
    },
    problems: ['payload-too-large'],
  },
};
