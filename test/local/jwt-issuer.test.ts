import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ensureJwtIssuer, JWT_ISSUER_KEY_FILE, jwtIssuerFromKeyFile, LOCAL_JWT_AUDIENCE, LOCAL_JWT_ISSUER } from '../../local/jwt-issuer.js';

let dataDir: string;
beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'signed-pay-issuer-'));
});
afterEach(() => {
  rmSync(dataDir, { recursive: true, force: true });
});

describe('the local JWT issuer', () => {
  it('signs RS256 tokens with iss, sub, aud, iat and exp, and a kid and typ in the header', async () => {
    const issuer = await ensureJwtIssuer(dataDir);
    const token = await issuer.issue('m_123', { expiresInSeconds: 120 });
    expect(decodeProtectedHeader(token)).toEqual({ alg: 'RS256', kid: issuer.kid, typ: 'JWT' });
    const claims = decodeJwt(token);
    expect(claims).toEqual({ iss: LOCAL_JWT_ISSUER, sub: 'm_123', aud: LOCAL_JWT_AUDIENCE, iat: expect.any(Number), exp: claims.iat! + 120 });
    expect(await issuer.verify(token)).toEqual(claims);
  });

  it('keeps its private key in the data directory, readable by the owner only, and signs with it on every start', async () => {
    const first = await ensureJwtIssuer(dataDir);
    const token = await first.issue('m_123');
    const keyFile = join(dataDir, JWT_ISSUER_KEY_FILE);
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(keyFile, 'utf8'))).toMatchObject({ kty: 'RSA', n: expect.any(String), d: expect.any(String) });

    const again = await ensureJwtIssuer(dataDir);
    expect(again.kid).toBe(first.kid);
    await expect(again.verify(token)).resolves.toMatchObject({ sub: 'm_123' });
    const fromFile = await jwtIssuerFromKeyFile(readFileSync(keyFile, 'utf8'));
    await expect(fromFile.verify(await again.issue('m_demo'))).resolves.toMatchObject({ sub: 'm_demo' });
  });

  it('creates one key when several starts race for it, and leaves no temporary file behind', async () => {
    const issuers = await Promise.all([1, 2, 3, 4].map(() => ensureJwtIssuer(dataDir)));
    expect(new Set(issuers.map((issuer) => issuer.kid)).size).toBe(1);
    expect(readdirSync(dataDir)).toEqual([JWT_ISSUER_KEY_FILE]);
  });

  it('refuses to start on a damaged key file rather than silently making a new key', async () => {
    writeFileSync(join(dataDir, JWT_ISSUER_KEY_FILE), '{"kty":"oct"}');
    await expect(ensureJwtIssuer(dataDir)).rejects.toThrow(/not a usable issuer key.*Delete it/);
  });

  it('says why a token is refused, with a stable code', async () => {
    const issuer = await ensureJwtIssuer(dataDir);
    await expect(issuer.verify(await issuer.issue('m_123', { expiresInSeconds: -1 }))).rejects.toMatchObject({ code: 'ERR_JWT_EXPIRED' });
    await expect(issuer.verify(await issuer.issue('m_123', { audience: 'x' }))).rejects.toMatchObject({ code: 'ERR_JWT_CLAIM_VALIDATION_FAILED', claim: 'aud' });
    await expect(issuer.verify('not.a.token')).rejects.toHaveProperty('code');
  });
});
