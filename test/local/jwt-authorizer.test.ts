import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { APIGatewayProxyEventV2, APIGatewayProxyEventV2WithJWTAuthorizer } from 'aws-lambda';
import { importJWK, type JWTPayload, SignJWT } from 'jose';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { gatewayClaimsOf } from '../../local/api-gateway-event.js';
import { type RunningApiServer, startApiServer } from '../../local/api-server.js';
import { ensureJwtIssuer, JWT_ISSUER_KEY_FILE, LOCAL_JWT_AUDIENCE, LOCAL_JWT_ISSUER, type LocalJwtIssuer, throwawayJwtIssuer } from '../../local/jwt-issuer.js';
import type { FunctionId, Route } from '../../shared/routes.js';

// The local API server with the local issuer as its JWT authorizer, in front of a handler that only records what reached it.
const ROUTES: Route[] = [
  { method: 'POST', path: '/private', functionId: 'settlement', access: 'authenticated' },
  { method: 'GET', path: '/public', functionId: 'config', access: 'public' },
];

let dataDir: string;
let issuer: LocalJwtIssuer;
let server: RunningApiServer;
let received: APIGatewayProxyEventV2[] = [];

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'signed-pay-authorizer-'));
  issuer = await ensureJwtIssuer(dataDir);
  const recordingHandler = async (event: APIGatewayProxyEventV2) => {
    received.push(event);
    return { statusCode: 200, body: 'reached' };
  };
  server = await startApiServer({
    routes: ROUTES,
    handlers: { settlement: recordingHandler, config: recordingHandler } as unknown as Record<FunctionId, typeof recordingHandler>,
    authorizeJwt: async (token) => issuer.verify(token).catch(() => undefined),
  });
});
afterAll(async () => {
  await server?.close();
  rmSync(dataDir, { recursive: true, force: true });
});
beforeEach(() => {
  received = [];
});

function call(path: string, authorization?: string, method = 'POST') {
  return fetch(`${server.url}${path}`, { method, headers: authorization === undefined ? {} : { authorization } });
}

/** Signs any header and claims with the local issuer's own key: tokens only the checks, not the signature, can refuse. */
async function signWithIssuerKey(header: Record<string, unknown>, claims: JWTPayload): Promise<string> {
  const key = await importJWK(JSON.parse(readFileSync(join(dataDir, JWT_ISSUER_KEY_FILE), 'utf8')), 'RS256');
  return new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: issuer.kid, typ: 'JWT', ...header }).sign(key);
}

const now = () => Math.floor(Date.now() / 1000);
const validClaims = () => ({ iss: LOCAL_JWT_ISSUER, aud: LOCAL_JWT_AUDIENCE, sub: 'm_123', iat: now(), exp: now() + 600 });

async function expectRefused(authorization: string | undefined): Promise<void> {
  const response = await call('/private', authorization);
  expect(response.status).toBe(401);
  expect(response.headers.get('content-type')).toBe('application/json');
  expect(await response.text()).toBe('{"message":"Unauthorized"}');
  expect(received).toEqual([]);
}

describe('the local API server as API Gateway with a JWT authorizer', () => {
  it('answers 401 {"message":"Unauthorized"} without invoking the function when no token comes', async () => {
    await expectRefused(undefined);
    await expectRefused('');
    await expectRefused('Bearer ');
  });

  it('refuses an expired token, one for another audience and one from a foreign issuer', async () => {
    await expectRefused(`Bearer ${await issuer.issue('m_123', { expiresInSeconds: -5 })}`);
    await expectRefused(`Bearer ${await issuer.issue('m_123', { audience: 'another-api' })}`);
    const foreign = await throwawayJwtIssuer('https://attacker.example');
    await expectRefused(`Bearer ${await foreign.issue('m_123')}`);
    // Our issuer's name on a token signed with another key: the signature decides, not the claim.
    const impostor = await throwawayJwtIssuer(LOCAL_JWT_ISSUER);
    await expectRefused(`Bearer ${await impostor.issue('m_123')}`);
  });

  it('refuses a token whose claims or signature were changed after signing', async () => {
    const [header, payload, signature] = (await issuer.issue('m_other')).split('.');
    const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString());
    const changed = Buffer.from(JSON.stringify({ ...claims, sub: 'm_123' })).toString('base64url');
    await expectRefused(`Bearer ${header}.${changed}.${signature}`);
    const flipped = `${signature!.slice(0, 10)}${signature![10] === 'A' ? 'B' : 'A'}${signature!.slice(11)}`;
    await expectRefused(`Bearer ${header}.${payload}.${flipped}`);
  });

  it('refuses any algorithm but RS256 (all an HTTP API JWT authorizer verifies), whatever the token names', async () => {
    const hs256 = await new SignJWT(validClaims()).setProtectedHeader({ alg: 'HS256', kid: issuer.kid }).sign(new TextEncoder().encode('x'.repeat(32)));
    await expectRefused(`Bearer ${hs256}`);
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const es256 = await new SignJWT(validClaims()).setProtectedHeader({ alg: 'ES256', kid: issuer.kid }).sign(privateKey);
    await expectRefused(`Bearer ${es256}`);
    const unsecured = `${Buffer.from(JSON.stringify({ alg: 'none', kid: issuer.kid })).toString('base64url')}.${Buffer.from(JSON.stringify(validClaims())).toString('base64url')}.`;
    await expectRefused(`Bearer ${unsecured}`);
  });

  it('refuses a token without exp, not yet valid (nbf, iat), or naming no key of the issuer (kid)', async () => {
    const { exp: _exp, ...withoutExp } = validClaims();
    await expectRefused(`Bearer ${await signWithIssuerKey({}, withoutExp)}`);
    await expectRefused(`Bearer ${await signWithIssuerKey({}, { ...validClaims(), nbf: now() + 300 })}`);
    await expectRefused(`Bearer ${await signWithIssuerKey({}, { ...validClaims(), iat: now() + 300 })}`);
    await expectRefused(`Bearer ${await signWithIssuerKey({ kid: 'another-key' }, validClaims())}`);
    await expectRefused(`Bearer ${await signWithIssuerKey({ kid: undefined }, validClaims())}`);
  });

  it('passes a valid token on to the function with its claims as strings, with or without "Bearer "', async () => {
    const token = await issuer.issue('m_123');
    for (const authorization of [`Bearer ${token}`, `bearer ${token}`, token]) {
      const response = await call('/private', authorization);
      expect(response.status).toBe(200);
    }
    expect(received).toHaveLength(3);
    const { authorizer } = (received[0] as APIGatewayProxyEventV2WithJWTAuthorizer).requestContext;
    const claims = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;
    expect(authorizer).toEqual({
      jwt: { claims: { iss: LOCAL_JWT_ISSUER, sub: 'm_123', aud: LOCAL_JWT_AUDIENCE, iat: String(claims.iat), exp: String(claims.exp) }, scopes: null },
    });
  });

  it('accepts client_id in place of an absent aud, as API Gateway does', async () => {
    const { aud: _aud, ...claims } = validClaims();
    expect((await call('/private', await signWithIssuerKey({}, { ...claims, client_id: LOCAL_JWT_AUDIENCE }))).status).toBe(200);
    await expectRefusedAfterReset(await signWithIssuerKey({}, { ...claims, client_id: 'another-client' }));
  });

  it('leaves public routes and CORS preflights alone', async () => {
    const publicResponse = await call('/public', undefined, 'GET');
    expect(publicResponse.status).toBe(200);
    expect(received[0]!.requestContext).not.toHaveProperty('authorizer');
    const preflight = await fetch(`${server.url}/private`, {
      method: 'OPTIONS',
      headers: { origin: 'https://shop.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-headers')).toContain('authorization');
  });
});

async function expectRefusedAfterReset(token: string): Promise<void> {
  received = [];
  await expectRefused(token);
}

describe('claims as API Gateway hands them to the integration', () => {
  it('are all strings: numbers and booleans written out, arrays in brackets separated by spaces, objects as JSON', () => {
    expect(gatewayClaimsOf({ sub: 'm_1', exp: 1767225600, email_verified: true, groups: ['admin', 'ops'], address: { country: 'DE' } })).toEqual({
      sub: 'm_1',
      exp: '1767225600',
      email_verified: 'true',
      groups: '[admin ops]',
      address: '{"country":"DE"}',
    });
  });
});
