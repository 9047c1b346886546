import { generateKeyPairSync, sign, verify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { isLowS, toLowS } from '../../shared/adapters/ecdsa-low-s.js';

const N = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;
const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const message = Buffer.from('signing input');

function highSTwin(signature: Uint8Array): Buffer {
  const s = BigInt(`0x${Buffer.from(signature.subarray(32)).toString('hex')}`);
  return Buffer.concat([signature.subarray(0, 32), Buffer.from((N - s).toString(16).padStart(64, '0'), 'hex')]);
}

describe('low-S ECDSA signatures', () => {
  it('normalizes either spelling to the one low-S spelling, which still verifies', () => {
    for (let i = 0; i < 50; i++) {
      const signature = sign('sha256', message, { key: privateKey, dsaEncoding: 'ieee-p1363' });
      const low = toLowS(signature);
      const high = highSTwin(low);
      expect(isLowS(low)).toBe(true);
      expect(isLowS(high)).toBe(false);
      expect(Buffer.from(toLowS(high))).toEqual(Buffer.from(low));
      // Both spellings are mathematically valid: that is why the verifier must refuse one.
      for (const spelling of [low, high]) expect(verify('sha256', message, { key: publicKey, dsaEncoding: 'ieee-p1363' }, spelling)).toBe(true);
    }
  });

  it('puts the boundary exactly at n/2: s = n/2 is low, s = n/2 + 1 is high', () => {
    const withS = (s: bigint) => Buffer.concat([Buffer.alloc(32, 1), Buffer.from(s.toString(16).padStart(64, '0'), 'hex')]);
    const half = N >> 1n;
    expect(isLowS(withS(half))).toBe(true);
    expect(isLowS(withS(half + 1n))).toBe(false);
    expect(isLowS(withS(1n))).toBe(true);
    expect(isLowS(withS(N - 1n))).toBe(false);
  });

  it('refuses signatures that are not 64 bytes', () => {
    expect(isLowS(new Uint8Array(63))).toBe(false);
    expect(() => toLowS(new Uint8Array(65))).toThrow('64 bytes');
  });
});
