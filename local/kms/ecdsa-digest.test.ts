// Digest signing does its own curve arithmetic, so it is checked against node:crypto (OpenSSL),
// an independent implementation, in both directions.
import { createHash, generateKeyPairSync, sign, verify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signDigest, verifyDigest } from './ecdsa-digest.js';

describe.each([
  { namedCurve: 'P-256', hash: 'sha256' },
  { namedCurve: 'P-384', hash: 'sha384' },
] as const)('ECDSA over a precomputed digest on $namedCurve', ({ namedCurve, hash }) => {
  const messages = Array.from({ length: 8 }, (_, index) => Buffer.from(`message ${index}`));

  it('makes signatures OpenSSL verifies against the original messages, for several keys', () => {
    for (let keyIndex = 0; keyIndex < 4; keyIndex++) {
      const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve });
      for (const message of messages) {
        const signature = signDigest(privateKey, createHash(hash).update(message).digest());
        expect(verify(hash, message, publicKey, signature)).toBe(true);
      }
    }
  });

  it('accepts the signatures OpenSSL makes, and rejects them for any other digest', () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve });
    for (const message of messages) {
      const signature = sign(hash, message, privateKey);
      expect(verifyDigest(publicKey, createHash(hash).update(message).digest(), signature)).toBe(true);
      expect(verifyDigest(publicKey, createHash(hash).update(Buffer.concat([message, Buffer.from('!')])).digest(), signature)).toBe(false);
    }
  });

  it('rejects a signature by another key', () => {
    const signer = generateKeyPairSync('ec', { namedCurve });
    const other = generateKeyPairSync('ec', { namedCurve });
    const digest = createHash(hash).update('payload').digest();
    expect(verifyDigest(other.publicKey, digest, signDigest(signer.privateKey, digest))).toBe(false);
  });

  it('treats malformed DER as an invalid signature rather than failing', () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve });
    const digest = createHash(hash).update('payload').digest();
    const signature = signDigest(privateKey, digest);
    const malformed = [
      Buffer.alloc(0),
      Buffer.from('not der'),
      signature.subarray(0, signature.length - 1),
      Buffer.concat([signature, Buffer.from([0])]),
      Buffer.from([0x30, 0x06, 0x02, 0x01, 0x00, 0x02, 0x01, 0x01]), // r = 0
    ];
    for (const candidate of malformed) expect(verifyDigest(publicKey, digest, candidate)).toBe(false);
  });
});
