import { readFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';
import { afterEach, describe, expect, it } from 'vitest';
import { settlementClient } from './sigv4-recipe.js';

const RECIPE_FILE = new URL('./sigv4-recipe.ts', import.meta.url);
const READMES = [new URL('../../README.md', import.meta.url), new URL('../../client/README.md', import.meta.url)];
const CREDENTIALS = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY', sessionToken: 'session-token-example' };
const REGION = 'eu-west-1';

interface Received {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** API Gateway's part: what arrived, checked with the same algorithm over the bytes received. */
async function signatureHolds(request: Received, port: number): Promise<boolean> {
  const authorization = String(request.headers.authorization);
  const signedNames = /SignedHeaders=([^,]+)/.exec(authorization)?.[1]?.split(';') ?? [];
  const date = String(request.headers['x-amz-date']);
  const signingDate = new Date(date.replace(/^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/, '$1-$2-$3T$4:$5:$6Z'));
  const verifier = new SignatureV4({ service: 'execute-api', region: REGION, credentials: CREDENTIALS, sha256: Hash.bind(null, 'sha256') });
  const resigned = await verifier.sign(
    {
      method: request.method,
      protocol: 'http:',
      hostname: '127.0.0.1',
      port,
      path: request.path,
      headers: Object.fromEntries(signedNames.map((name) => [name, String(request.headers[name])])),
      body: request.body,
    },
    { signingDate },
  );
  return signedNames.includes('host') && signedNames.includes('idempotency-key') && resigned.headers.authorization === authorization;
}

/** An API that refuses the first attempt (503, retry at once) and settles the second. */
async function settlementApi(): Promise<{ url: string; port: number; received: Received[]; close(): Promise<void> }> {
  const received: Received[] = [];
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    request.on('end', () => {
      received.push({ method: request.method!, path: request.url!, headers: request.headers, body });
      if (received.length === 1) {
        response.writeHead(503, { 'content-type': 'application/problem+json', 'retry-after': '0' });
        response.end(JSON.stringify({ type: '/problems/signing-unavailable', title: 'Signing is unavailable', status: 503 }));
        return;
      }
      response.writeHead(201, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ paymentId: 'pay_sigv4', status: 'SETTLED', paymentResponse: 'header.claims.signature' }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, port, received, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

const savedEnv = { ...process.env };
afterEach(() => {
  for (const name of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_PROFILE']) {
    if (savedEnv[name] === undefined) delete process.env[name];
    else process.env[name] = savedEnv[name];
  }
});

describe("the README's SigV4 recipe", () => {
  it('is this file, verbatim but for where the SDK is imported from, in both READMEs', () => {
    const recipe = readFileSync(RECIPE_FILE, 'utf8').replace("'../../client/src/index.js'", "'@signed-pay/client'");
    for (const readme of READMES) {
      const text = readFileSync(readme, 'utf8');
      const section = text.slice(text.indexOf('### Settling from a backend with SigV4'));
      expect(/```ts\n([\s\S]*?)```/.exec(section)?.[1], readme.pathname).toBe(recipe);
    }
  });

  it('signs every settle attempt with the default credential chain, over exactly what the SDK sends', async () => {
    delete process.env.AWS_PROFILE;
    process.env.AWS_ACCESS_KEY_ID = CREDENTIALS.accessKeyId;
    process.env.AWS_SECRET_ACCESS_KEY = CREDENTIALS.secretAccessKey;
    process.env.AWS_SESSION_TOKEN = CREDENTIALS.sessionToken;
    const api = await settlementApi();
    try {
      const settlement = await settlementClient(api.url, REGION).settle(
        { orderId: 'o_sigv4', amount: { value: 1999, currency: 'USD' }, paymentMethod: { type: 'card', token: 'tok_success' } },
        { idempotencyKey: 'order-o_sigv4-attempt-1' },
      );
      expect(settlement).toMatchObject({ paymentId: 'pay_sigv4', idempotencyKey: 'order-o_sigv4-attempt-1' });
      expect(api.received).toHaveLength(2);
      for (const request of api.received) {
        expect(request.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/eu-west-1\/execute-api\/aws4_request, /);
        expect(request.headers['x-amz-security-token']).toBe(CREDENTIALS.sessionToken);
        expect(await signatureHolds(request, api.port)).toBe(true);
      }
    } finally {
      await api.close();
    }
  });
});
