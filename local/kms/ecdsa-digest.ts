// ECDSA over a message digest the caller already computed (KMS's MessageType DIGEST).
// node:crypto always hashes what it signs, so it cannot sign or verify a bare digest; this file does the
// curve arithmetic itself (FIPS 186-5 section 6.4) with BigInt.
// BigInt arithmetic is not constant-time: fine for a local development endpoint whose keys protect
// nothing, never for production keys.
import { randomBytes, type KeyObject } from 'node:crypto';

interface Curve {
  p: bigint; // field prime; every NIST prime curve here has a = p - 3
  n: bigint; // order of the base point
  gx: bigint;
  gy: bigint;
  byteLength: number;
}

// Domain parameters from FIPS 186-5 / SEC 2.
export const CURVES: Readonly<Record<'P-256' | 'P-384', Curve>> = {
  'P-256': {
    p: 0xffffffff00000001000000000000000000000000ffffffffffffffffffffffffn,
    n: 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n,
    gx: 0x6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296n,
    gy: 0x4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5n,
    byteLength: 32,
  },
  'P-384': {
    p: 0xfffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffeffffffff0000000000000000ffffffffn,
    n: 0xffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973n,
    gx: 0xaa87ca22be8b05378eb1c71ef320ad746e1d3b628ba79b9859f741e082542a385502f25dbf55296c3a545e3872760ab7n,
    gy: 0x3617de4a96262c6f5d9e98bf9292dc29f8f41dbd289a147ce9da3113b5f0b8c00a60b1ce1d7e819d7a431d7c90ea0e5fn,
    byteLength: 48,
  },
};

/** Signs `digest` without hashing it again; returns the DER `ECDSA-Sig-Value` KMS returns. */
export function signDigest(privateKey: KeyObject, digest: Buffer): Buffer {
  const { curve, jwk } = curveOf(privateKey);
  const d = fromBase64Url(jwk.d);
  const e = digestToInteger(digest, curve);
  for (;;) {
    const k = randomScalar(curve);
    const point = toAffine(multiply(k, { x: curve.gx, y: curve.gy, z: 1n }, curve), curve);
    if (!point) continue;
    const r = mod(point.x, curve.n);
    if (r === 0n) continue;
    const s = mod(invert(k, curve.n) * (e + r * d), curve.n);
    if (s === 0n) continue;
    return encodeDerSignature(r, s);
  }
}

/** Checks a DER ECDSA signature over `digest` (not hashed again); a malformed signature is simply invalid. */
export function verifyDigest(publicKey: KeyObject, digest: Buffer, derSignature: Buffer): boolean {
  const { curve, jwk } = curveOf(publicKey);
  const signature = decodeDerSignature(derSignature);
  if (!signature) return false;
  const { r, s } = signature;
  if (r <= 0n || r >= curve.n || s <= 0n || s >= curve.n) return false;
  const w = invert(s, curve.n);
  const e = digestToInteger(digest, curve);
  const q = { x: fromBase64Url(jwk.x), y: fromBase64Url(jwk.y), z: 1n };
  const sum = add(
    multiply(mod(e * w, curve.n), { x: curve.gx, y: curve.gy, z: 1n }, curve),
    multiply(mod(r * w, curve.n), q, curve),
    curve,
  );
  const point = toAffine(sum, curve);
  return point !== undefined && mod(point.x, curve.n) === r;
}

function curveOf(key: KeyObject): { curve: Curve; jwk: { d?: string; x?: string; y?: string } } {
  const jwk = key.export({ format: 'jwk' });
  if (jwk.kty !== 'EC' || (jwk.crv !== 'P-256' && jwk.crv !== 'P-384')) {
    throw new Error(`digest signing supports P-256 and P-384 EC keys, not ${jwk.kty} ${jwk.crv ?? ''}`);
  }
  return { curve: CURVES[jwk.crv], jwk };
}

// --- arithmetic in Jacobian coordinates (x = X/Z², y = Y/Z³), which needs one inversion per multiplication

interface JacobianPoint {
  x: bigint;
  y: bigint;
  z: bigint; // 0 is the point at infinity
}

const INFINITY: JacobianPoint = { x: 1n, y: 1n, z: 0n };

function double(point: JacobianPoint, { p }: Curve): JacobianPoint {
  if (point.z === 0n || point.y === 0n) return INFINITY;
  const yy = mod(point.y * point.y, p);
  const zz = mod(point.z * point.z, p);
  const s = mod(4n * point.x * yy, p);
  const m = mod(3n * (point.x - zz) * (point.x + zz), p); // a = -3
  const x = mod(m * m - 2n * s, p);
  const y = mod(m * (s - x) - 8n * yy * yy, p);
  const z = mod(2n * point.y * point.z, p);
  return { x, y, z };
}

function add(a: JacobianPoint, b: JacobianPoint, curve: Curve): JacobianPoint {
  if (a.z === 0n) return b;
  if (b.z === 0n) return a;
  const { p } = curve;
  const az2 = mod(a.z * a.z, p);
  const bz2 = mod(b.z * b.z, p);
  const u1 = mod(a.x * bz2, p);
  const u2 = mod(b.x * az2, p);
  const s1 = mod(a.y * bz2 * b.z, p);
  const s2 = mod(b.y * az2 * a.z, p);
  if (u1 === u2) return s1 === s2 ? double(a, curve) : INFINITY;
  const h = mod(u2 - u1, p);
  const r = mod(s2 - s1, p);
  const hh = mod(h * h, p);
  const hhh = mod(h * hh, p);
  const u1hh = mod(u1 * hh, p);
  const x = mod(r * r - hhh - 2n * u1hh, p);
  const y = mod(r * (u1hh - x) - s1 * hhh, p);
  const z = mod(h * a.z * b.z, p);
  return { x, y, z };
}

function multiply(scalar: bigint, point: JacobianPoint, curve: Curve): JacobianPoint {
  let result = INFINITY;
  for (let bit = BigInt(scalar.toString(2).length - 1); bit >= 0n; bit--) {
    result = double(result, curve);
    if ((scalar >> bit) & 1n) result = add(result, point, curve);
  }
  return result;
}

function toAffine(point: JacobianPoint, { p }: Curve): { x: bigint; y: bigint } | undefined {
  if (point.z === 0n) return undefined;
  const zInverse = invert(point.z, p);
  const zInverse2 = mod(zInverse * zInverse, p);
  return { x: mod(point.x * zInverse2, p), y: mod(point.y * zInverse2 * zInverse, p) };
}

function mod(value: bigint, modulus: bigint): bigint {
  const rest = value % modulus;
  return rest < 0n ? rest + modulus : rest;
}

/** Modular inverse by the extended Euclidean algorithm; the moduli here are prime. */
function invert(value: bigint, modulus: bigint): bigint {
  let [oldR, r] = [mod(value, modulus), modulus];
  let [oldS, s] = [1n, 0n];
  while (r !== 0n) {
    const quotient = oldR / r;
    [oldR, r] = [r, oldR - quotient * r];
    [oldS, s] = [s, oldS - quotient * s];
  }
  if (oldR !== 1n) throw new Error('value has no inverse');
  return mod(oldS, modulus);
}

/** A uniformly random scalar in [1, n-1], by rejection sampling so there is no modulo bias. */
function randomScalar({ n, byteLength }: Curve): bigint {
  for (;;) {
    const candidate = toBigInt(randomBytes(byteLength));
    if (candidate > 0n && candidate < n) return candidate;
  }
}

/** FIPS 186-5 keeps the leftmost bits of the digest when it is longer than the order. */
function digestToInteger(digest: Buffer, { n }: Curve): bigint {
  const excessBits = digest.length * 8 - n.toString(2).length;
  const value = toBigInt(digest);
  return excessBits > 0 ? value >> BigInt(excessBits) : value;
}

function toBigInt(bytes: Uint8Array): bigint {
  return bytes.length === 0 ? 0n : BigInt(`0x${Buffer.from(bytes).toString('hex')}`);
}

function fromBase64Url(text: string | undefined): bigint {
  if (text === undefined) throw new Error('the key has no such JWK member');
  return toBigInt(Buffer.from(text, 'base64url'));
}

// --- DER: ECDSA-Sig-Value ::= SEQUENCE { r INTEGER, s INTEGER }

function encodeDerSignature(r: bigint, s: bigint): Buffer {
  const body = Buffer.concat([derInteger(r), derInteger(s)]);
  return Buffer.concat([Buffer.from([0x30]), derLength(body.length), body]);
}

function derInteger(value: bigint): Buffer {
  let hex = value.toString(16);
  if (hex.length % 2) hex = `0${hex}`;
  let bytes = Buffer.from(hex, 'hex');
  if (bytes[0]! & 0x80) bytes = Buffer.concat([Buffer.from([0]), bytes]); // keep it positive
  return Buffer.concat([Buffer.from([0x02]), derLength(bytes.length), bytes]);
}

function derLength(length: number): Buffer {
  return length < 0x80 ? Buffer.from([length]) : Buffer.from([0x81, length]);
}

/** Strict DER: definite minimal lengths, minimal positive integers, nothing trailing. */
function decodeDerSignature(der: Buffer): { r: bigint; s: bigint } | undefined {
  let offset = 0;
  const readLength = (): number | undefined => {
    const first = der[offset++];
    if (first === undefined) return undefined;
    if (first < 0x80) return first;
    if (first !== 0x81) return undefined; // longer forms never occur for these curve sizes
    const length = der[offset++];
    return length !== undefined && length >= 0x80 ? length : undefined;
  };
  const readInteger = (): bigint | undefined => {
    if (der[offset++] !== 0x02) return undefined;
    const length = readLength();
    if (length === undefined || length === 0 || offset + length > der.length) return undefined;
    const bytes = der.subarray(offset, offset + length);
    offset += length;
    if (bytes[0]! & 0x80) return undefined; // negative
    if (length > 1 && bytes[0] === 0 && !(bytes[1]! & 0x80)) return undefined; // not minimal
    return toBigInt(bytes);
  };
  if (der[offset++] !== 0x30) return undefined;
  const sequenceLength = readLength();
  if (sequenceLength === undefined || offset + sequenceLength !== der.length) return undefined;
  const r = readInteger();
  const s = readInteger();
  if (r === undefined || s === undefined || offset !== der.length) return undefined;
  return { r, s };
}
