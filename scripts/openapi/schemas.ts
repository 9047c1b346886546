import type { PublishedJwk } from '../../shared/adapters/public-jwk.js';
import { configExplanationSchema, configResponseSchema, countrySourceSchema, httpsUrlSchema, servedConfigSchema } from '../../shared/domain/config/config-response-schema.js';
import { merchantIdSchema, orderIdSchema, paymentIdSchema } from '../../shared/domain/identifiers.js';
import { amountSchema, currencyCodeSchema } from '../../shared/domain/money.js';
import { PAYMENT_STATUSES } from '../../shared/domain/settlement/payment-response.js';
import { compactJwsSchema, settlementResultSchema } from '../../shared/domain/settlement/settlement-result-schema.js';
import { settlementRequestSchema } from '../../shared/domain/settlement/settlement-request.js';
import type { Assert, Equal } from '../../shared/domain/type-equality.js';
import { expectedPaymentSchema } from '../../shared/domain/verification/expectations.js';
import { verificationRequestSchema } from '../../shared/domain/verification/request.js';
import { paymentSummarySchema, verificationReasonSchema, verificationResponseSchema } from '../../shared/domain/verification/result-schema.js';
import type { ValidationIssue } from '../../shared/errors.js';
import type { SettlementResult } from '../../shared/use-cases/settle-payment.js';
import type { VerificationResponse } from '../../shared/use-cases/verify-payment.js';
import * as z from '../../shared/zod.js';

export type JsonSchema = z.core.JSONSchema.BaseSchema;

// What only the HTTP layer, the adapters or API Gateway define: no domain type to sit beside.

const validationIssueSchema = z.strictObject({ path: z.string(), message: z.string() });

/** RFC 9457 problem details, as shared/http/problem.ts writes them. */
const problemSchema = z.strictObject({
  type: z.string().check(z.regex(/^\/problems\/[a-z-]+$/)),
  title: z.string(),
  status: z.number().check(z.int(), z.gte(400), z.lte(599)),
  detail: z.string(),
  instance: z.optional(z.string()),
  errors: z.optional(z.array(validationIssueSchema)),
  /** idempotency-key-expired: the payment the key began, and what became of it. */
  paymentId: z.optional(paymentIdSchema),
  paymentStatus: z.optional(z.enum(PAYMENT_STATUSES)),
});

/** What API Gateway answers itself (authorizers, throttling, payload limit, a failed integration). */
const gatewayMessageSchema = z.strictObject({ message: z.string() });

const base64urlCoordinate = () => z.string().check(z.regex(/^[A-Za-z0-9_-]{43}$/));
const publicJwkSchema = z.strictObject({
  kty: z.literal('EC'),
  crv: z.literal('P-256'),
  x: base64urlCoordinate(),
  y: base64urlCoordinate(),
  kid: z.string().check(z.minLength(1)),
  alg: z.literal('ES256'),
  use: z.literal('sig'),
  /**
   * Delegated keys only (signingMode delegated): the compact JWS (typ signing-delegation+jwt) by
   * which a root key of the same document certified this key. JOSE libraries ignore it.
   */
  delegation: z.optional(z.string()),
});
const jwksSchema = z.strictObject({ keys: z.array(publicJwkSchema) });

const openApiDocumentSchema = z.looseObject({
  openapi: z.string().check(z.regex(/^3\.1\.\d+$/)),
  info: z.looseObject({ title: z.string(), version: z.string() }),
  paths: z.record(z.string(), z.unknown()),
});

// The server's types these schemas describe: a change to either side stops compiling.
type _Issue = Assert<Equal<z.output<typeof validationIssueSchema>, ValidationIssue>>;
type _Jwk = Assert<Equal<z.output<typeof publicJwkSchema>, PublishedJwk>>;
type _Settlement = Assert<Equal<z.output<typeof settlementResultSchema>, SettlementResult>>;
type _Verification = Assert<Equal<z.output<typeof verificationResponseSchema>, VerificationResponse>>;

interface Meta {
  id?: string;
  description?: string;
  pattern?: string;
  examples?: unknown[];
}

/**
 * Named schemas: what requests accept (zod's input side: defaults make members optional) and
 * what responses carry (its output side). One registry per side; a schema on both sides must
 * come out the same, or the document would say two things about it.
 */
function registries() {
  const requests = z.registry<Meta>();
  const responses = z.registry<Meta>();
  const both = (schema: z.core.$ZodType, meta: Meta) => {
    requests.add(schema, meta);
    responses.add(schema, meta);
  };
  both(currencyCodeSchema, {
    id: 'Currency',
    description: 'An ISO 4217 currency code in current use (shared/domain/iso4217.ts), upper case.',
    pattern: '^[A-Z]{3}$',
    examples: ['EUR'],
  });
  both(amountSchema, { id: 'Amount', description: 'Money: an integer of minor units and its currency (1999 USD is 19.99 USD, 500 JPY is 500 yen).' });
  both(merchantIdSchema, { id: 'MerchantId' });
  both(orderIdSchema, { id: 'OrderId' });
  both(expectedPaymentSchema, { id: 'ExpectedPayment', description: 'The payment the caller is about to trust: whose, which order, how much.' });

  requests.add(settlementRequestSchema, { id: 'SettlementRequest' });
  requests.add(settlementRequestSchema.shape.merchantId, { description: "Optional; if given, the caller's own merchant." });
  requests.add(verificationRequestSchema, { id: 'VerificationRequest' });
  requests.add(verificationRequestSchema.shape.paymentResponse, { description: 'Any string: a token that is not ours is a result (MALFORMED), not a 400.' });
  requests.add(verificationRequestSchema.shape.nonce, { description: 'Ask for a signed verdict bound to this nonce.' });

  responses.add(paymentIdSchema, { id: 'PaymentId' });
  responses.add(compactJwsSchema, { id: 'CompactJws', description: 'A compact JWS (RFC 7515): three base64url parts.' });
  responses.add(settlementResultSchema, { id: 'SettlementResult' });
  responses.add(verificationReasonSchema, { id: 'VerificationReason', description: 'In precedence order: a result names the first check that failed.' });
  responses.add(paymentSummarySchema, { id: 'PaymentSummary', description: 'Present only when verified.' });
  responses.add(verificationResponseSchema, { id: 'VerificationResponse' });
  responses.add(verificationResponseSchema.shape.verdict, { description: 'A signed verdict (typ verification-result+jwt), exactly when the request sent a nonce.' });
  responses.add(countrySourceSchema, { id: 'CountrySource' });
  responses.add(servedConfigSchema, { id: 'CountryConfig' });
  // zod's JSON Schema says `format: uri` only: the scheme the schema requires is stated as a pattern.
  responses.add(httpsUrlSchema, { description: 'An absolute https URL.', pattern: '^https://' });
  responses.add(configExplanationSchema, { id: 'ConfigExplanation' });
  responses.add(configResponseSchema, { id: 'ConfigResponse' });
  responses.add(publicJwkSchema, { id: 'PublicJwk' });
  responses.add(jwksSchema, { id: 'Jwks' });
  responses.add(validationIssueSchema, { id: 'ValidationIssue' });
  responses.add(problemSchema, { id: 'Problem', description: 'RFC 9457 problem details; `type` is one of the README\'s problem types.' });
  responses.add(gatewayMessageSchema, { id: 'GatewayMessage', description: "API Gateway's own answer: no function ran." });
  responses.add(openApiDocumentSchema, { id: 'OpenApiDocument' });
  return { requests, responses };
}

/** `#/components/schemas` of the document, in a stable order: requests first, then responses. */
export function componentSchemas(): Record<string, JsonSchema> {
  const { requests, responses } = registries();
  const uri = (id: string) => `#/components/schemas/${id}`;
  const emitted = [
    z.toJSONSchema(requests, { target: 'draft-2020-12', io: 'input', metadata: requests, uri }).schemas,
    z.toJSONSchema(responses, { target: 'draft-2020-12', io: 'output', metadata: responses, uri }).schemas,
  ];
  const schemas: Record<string, JsonSchema> = {};
  for (const side of emitted) {
    for (const [id, { $schema: _dialect, $id: _id, ...schema }] of Object.entries(side)) {
      const earlier = schemas[id];
      if (earlier && JSON.stringify(earlier) !== JSON.stringify(schema)) {
        throw new Error(`Schema ${id} differs between requests (input) and responses (output): give each side its own id.`);
      }
      schemas[id] = schema;
    }
  }
  return schemas;
}

/** One schema inline (a parameter's), without the dialect line. */
export function inlineSchema(schema: z.core.$ZodType, extra: Meta = {}): JsonSchema {
  const { $schema: _dialect, ...json } = z.toJSONSchema(schema, { target: 'draft-2020-12', io: 'input' });
  return { ...json, ...extra };
}
