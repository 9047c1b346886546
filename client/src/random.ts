import { WebCryptoUnavailableError } from './errors.js';

/**
 * The runtime's WebCrypto, checked for what `purpose` needs before anything is sent: a missing
 * one is a WebCryptoUnavailableError that says what to do, not a TypeError from deep inside.
 */
export function webCrypto(purpose: string, needs: { subtle?: boolean } = {}): Crypto {
  const runtime = (globalThis as { crypto?: Partial<Crypto> }).crypto;
  if (typeof runtime?.getRandomValues !== 'function') throw new WebCryptoUnavailableError('crypto.getRandomValues', purpose);
  if (needs.subtle && typeof runtime.subtle?.verify !== 'function') throw new WebCryptoUnavailableError('crypto.subtle', purpose);
  return runtime as Crypto;
}

/** The runtime's crypto.subtle, for a call that verifies signatures but makes no random value. */
export function webCryptoSubtle(purpose: string): SubtleCrypto {
  const subtle = (globalThis as { crypto?: Partial<Crypto> }).crypto?.subtle;
  if (typeof subtle?.verify !== 'function') throw new WebCryptoUnavailableError('crypto.subtle', purpose);
  return subtle;
}

/** A version 4 UUID from WebCrypto (randomUUID where the runtime has it: some need a secure context). */
export function randomUuid(crypto: Crypto): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6]! & 0x0f) | 0x40;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** 32 random bytes, base64url: 43 characters, within the verification service's 16 to 128. */
export function randomNonce(crypto: Crypto): string {
  return base64url(crypto.getRandomValues(new Uint8Array(32)));
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** Unpadded base64url, without btoa (missing in some React Native engines). */
function base64url(bytes: Uint8Array): string {
  let text = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const chunk = (bytes[i]! << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    const chars = Math.min(4, Math.ceil(((bytes.length - i) * 8) / 6));
    for (let c = 0; c < chars; c += 1) text += ALPHABET[(chunk >> (18 - 6 * c)) & 63];
  }
  return text;
}
