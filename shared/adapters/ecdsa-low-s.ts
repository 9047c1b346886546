/**
 * ECDSA signatures come in two spellings: (r, s) and (r, n - s) both verify. KMS returns
 * either. We sign only the low-S form and accept only it, so a payment response has exactly
 * one valid spelling and nobody can mint a second, different-looking copy of one we issued.
 */
const P256_ORDER = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;
const P256_HALF_ORDER = P256_ORDER >> 1n;
/** n/2 as 32 big-endian bytes: s compares with it byte by byte, with no BigInt per verification. */
const P256_HALF_ORDER_BYTES = Buffer.from(P256_HALF_ORDER.toString(16).padStart(64, '0'), 'hex');

function sOf(signature: Uint8Array): bigint {
  return BigInt(`0x${Buffer.from(signature.subarray(32, 64)).toString('hex')}`);
}

/** True for a 64-byte r‖s P-256 signature whose s is at most n/2. */
export function isLowS(signature: Uint8Array): boolean {
  // Both are 32 big-endian bytes, so byte order is numeric order.
  return signature.length === 64 && Buffer.compare(signature.subarray(32, 64), P256_HALF_ORDER_BYTES) <= 0;
}

/** The low-S spelling of a 64-byte r‖s P-256 signature (the same signature when already low). */
export function toLowS(signature: Uint8Array): Uint8Array {
  if (signature.length !== 64) throw new Error('An ES256 signature is 64 bytes');
  const s = sOf(signature);
  if (s <= P256_HALF_ORDER) return signature;
  const lowS = Buffer.from((P256_ORDER - s).toString(16).padStart(64, '0'), 'hex');
  return Buffer.concat([signature.subarray(0, 32), lowS]);
}
