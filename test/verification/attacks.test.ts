import { createHmac, createPublicKey, generateKeyPairSync, sign } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GetPublicKeyCommand } from '@aws-sdk/client-kms';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kidOfKeyArn } from '../../shared/adapters/kms-key-id.js';
import { EXPECTED, paymentClaims, startVerificationStack, type VerificationStack } from './verification-stack.js';

let stack: VerificationStack;
let kid: string;
let publicKeyPem: string;
let publicKeyJwkJson: string;
/** A server a token may point at: no verification may ever fetch from it. */
let bait: Server;
let baitUrl: string;
let baitRequests = 0;

beforeAll(async () => {
  stack = await startVerificationStack();
  kid = kidOfKeyArn(stack.keyArns.current);
  const { PublicKey } = await stack.kms.send(new GetPublicKeyCommand({ KeyId: stack.keyArns.current }));
  const publicKey = createPublicKey({ key: Buffer.from(PublicKey!), format: 'der', type: 'spki' });
  publicKeyPem = publicKey.export({ format: 'pem', type: 'spki' }).toString();
  publicKeyJwkJson = JSON.stringify({ ...publicKey.export({ format: 'jwk' }), kid, alg: 'ES256', use: 'sig' });
  bait = createServer((_request, response) => {
    baitRequests += 1;
    response.end('{"keys":[]}');
  });
  await new Promise<void>((resolve) => bait.listen(0, '127.0.0.1', resolve));
  baitUrl = `http://127.0.0.1:${(bait.address() as AddressInfo).port}/jwks.json`;
});
afterAll(async () => {
  await new Promise((resolve) => bait?.close(resolve));
  await stack?.close();
});

const b64 = (text: string | Buffer) => Buffer.from(text).toString('base64url');
const claimsJson = () => JSON.stringify(paymentClaims());
const header = (members: Record<string, unknown>) => JSON.stringify({ alg: 'ES256', kid, typ: 'payment-response+jwt', ...members });

function hs256(secret: string | Buffer, headerJson: string, payloadJson: string): string {
  const input = `${b64(headerJson)}.${b64(payloadJson)}`;
  return `${input}.${b64(createHmac('sha256', secret).update(input).digest())}`;
}

function es(curve: 'P-256' | 'P-384', headerJson: string, payloadJson: string): string {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: curve });
  const input = `${b64(headerJson)}.${b64(payloadJson)}`;
  const digest = curve === 'P-256' ? 'sha256' : 'sha384';
  return `${input}.${b64(sign(digest, Buffer.from(input), { key: privateKey, dsaEncoding: 'ieee-p1363' }))}`;
}


async function expectRefused(token: string, reason?: string) {
  const reply = await stack.verify({ paymentResponse: token, expected: EXPECTED });
  expect(reply.statusCode).toBe(200);
  expect(reply.body).toMatchObject({ verified: false, paymentCompleted: false, retryable: false });
  expect(reply.body).not.toHaveProperty('payment');
  if (reason) expect(reply.body.reason).toBe(reason);
}

describe('forged and hostile payment responses never verify and never cause a 5xx', () => {
  it('alg none, with and without a signature', async () => {
    const input = `${b64(header({ alg: 'none' }))}.${b64(claimsJson())}`;
    await expectRefused(`${input}.`, 'MALFORMED');
    await expectRefused(`${input}.${b64('x'.repeat(64))}`, 'UNSUPPORTED_ALGORITHM');
  });

  it('HS256 keyed with our public key, as PEM and as JWK JSON', async () => {
    for (const secret of [publicKeyPem, publicKeyJwkJson, Buffer.from(publicKeyPem)]) {
      await expectRefused(hs256(secret, header({ alg: 'HS256' }), claimsJson()), 'UNSUPPORTED_ALGORITHM');
      // Even with the header lying about its algorithm, an HMAC is no ES256 signature.
      await expectRefused(hs256(secret, header({}), claimsJson()), 'BAD_SIGNATURE');
    }
  });

  it('ES384 on P-384', async () => {
    await expectRefused(es('P-384', header({ alg: 'ES384' }), claimsJson()), 'UNSUPPORTED_ALGORITHM');
  });

  it('a foreign P-256 key using our kid', async () => {
    await expectRefused(es('P-256', header({}), claimsJson()), 'BAD_SIGNATURE');
  });

  it('keys named or embedded by the token (jku, jwk, x5u, x5c) are refused and never fetched', async () => {
    const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const embedded = publicKey.export({ format: 'jwk' });
    for (const members of [{ jku: baitUrl }, { x5u: baitUrl }, { jwk: embedded }, { x5c: ['MIIB'] }, { jku: baitUrl, kid: 'attacker' }]) {
      await expectRefused(es('P-256', header(members), claimsJson()), 'MALFORMED');
    }
    expect(baitRequests).toBe(0);
  });

  it('crit and b64:false headers, even over our own valid signature', async () => {
    for (const members of [{ crit: ['exp'] }, { crit: ['b64'], b64: false }, { b64: false }, { cty: 'JWT' }]) {
      await expectRefused(await stack.signRawWith(stack.keyArns.current, header(members), claimsJson()), 'MALFORMED');
    }
  });

  it('the high-S twin of our own valid signature: the same payment, spelt another way', async () => {
    const token = await stack.signWith(stack.keyArns.current, JSON.parse(claimsJson()));
    const [header, payload, signature] = token.split('.') as [string, string, string];
    const rs = Buffer.from(signature, 'base64url');
    const n = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;
    const s = BigInt(`0x${rs.subarray(32).toString('hex')}`);
    const twin = Buffer.concat([rs.subarray(0, 32), Buffer.from((n - s).toString(16).padStart(64, '0'), 'hex')]);
    expect((await stack.verify({ paymentResponse: token })).body).toMatchObject({ verified: true });
    await expectRefused(`${header}.${payload}.${twin.toString('base64url')}`, 'BAD_SIGNATURE');
  });

  it('duplicate member names, even over our own valid signature', async () => {
    const duplicatedAlg = `{"alg":"none","kid":"${kid}","typ":"payment-response+jwt","alg":"ES256"}`;
    await expectRefused(await stack.signRawWith(stack.keyArns.current, duplicatedAlg, claimsJson()), 'MALFORMED');
    const claims = claimsJson();
    const duplicatedStatus = `${claims.slice(0, -1)},"status":"SETTLED"}`.replace('"status":"SETTLED"', '"status":"DECLINED"');
    await expectRefused(await stack.signRawWith(stack.keyArns.current, header({}), duplicatedStatus), 'INVALID_CLAIMS');
  });

  it.each([
    ['path traversal', '../../../etc/passwd'],
    ['quotes', `${'"'}' OR '1'='1`],
    ['NUL', `abc\u0000${'x'}`],
    ['SQL', "'; DROP TABLE ledger; --"],
    ['regex', '.*|^(a+)+$'],
    ['prototype', '__proto__'],
    ['our kid with a suffix', 'KID/../KID'],
    ['a very long kid', 'k'.repeat(300)],
    ['a number', 12345],
    ['an object', { toString: 'x' }],
  ])('a kid with %s', async (_what, value) => {
    const forged = typeof value === 'string' ? value.replaceAll('KID', kid) : value;
    const token = await stack.signRawWith(stack.keyArns.current, header({ kid: forged }), claimsJson());
    await expectRefused(token, 'UNKNOWN_KEY');
  });

  it('very long tokens, up to the 16 KiB body limit', async () => {
    const valid = await stack.signWith(stack.keyArns.current, paymentClaims());
    const [h, p, s] = valid.split('.') as [string, string, string];
    const room = 16 * 1024 - JSON.stringify({ paymentResponse: '', expected: EXPECTED }).length;
    const long = (part: string) => part + 'A'.repeat(room - valid.length);
    for (const token of [`${long(h)}.${p}.${s}`, `${h}.${long(p)}.${s}`, `${h}.${p}.${long(s)}`, 'A'.repeat(room), '.'.repeat(room)]) {
      await expectRefused(token, 'MALFORMED');
    }
    // Large but within the caps: padded claims the signature does not cover.
    await expectRefused(`${h}.${b64(`${JSON.stringify(paymentClaims()).slice(0, -1)},"pad":"${'x'.repeat(2000)}"}`)}.${s}`, 'BAD_SIGNATURE');
  });

  it('unicode, control characters and JSON that is not an object in any part', async () => {
    const valid = await stack.signWith(stack.keyArns.current, paymentClaims());
    const [h, p, s] = valid.split('.') as [string, string, string];
    for (const token of [
      `${h}\u200b.${p}.${s}`,
      `${h}.${p}.${s}\n`,
      `${b64('[1]')}.${p}.${s}`,
      `${b64('null')}.${p}.${s}`,
      `${b64('"ES256"')}.${p}.${s}`,
      `${b64(Buffer.from([0xff, 0xfe]))}.${p}.${s}`,
      `${b64(`\ufeff${header({})}`)}.${p}.${s}`,
      `${b64(` ${header({})}`)}.${p}.${s}`,
    ]) {
      await expectRefused(token, 'MALFORMED');
    }
  });
});
