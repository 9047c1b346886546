import { PAYMENT_RESPONSE_TYP, SIGNING_ALGORITHM } from '../settlement/payment-response.js';
import type { RejectionReason } from './reasons.js';

/**
 * Our payment responses are about 450 characters. The cap bounds the work an unauthenticated
 * token can cause before its signature is checked.
 */
export const MAX_TOKEN_LENGTH = 4096;

/**
 * The header members we issue, and so the only ones we accept. This rejects, among others,
 * `crit` (extensions we would have to understand), `jku`/`jwk`/`x5u`/`x5c` (keys named by the
 * token, which we never fetch nor trust) and `b64` (an unencoded payload).
 */
const ACCEPTED_HEADER_MEMBERS: ReadonlySet<string> = new Set(['alg', 'kid', 'typ']);

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** A token whose structure and header passed: its signature and claims are still unchecked. */
export interface InspectedJws {
  kid: string;
  /** ASCII: the first two parts as sent, joined by a dot. */
  signingInput: string;
  signature: Uint8Array;
  /** Unauthenticated bytes: read them only after the signature verified. */
  payload: Uint8Array;
}

export type JwsInspection = ({ ok: true } & InspectedJws) | { ok: false; reason: RejectionReason };

/**
 * The first half of the predefined rule, before any key is involved: a compact JWS of three
 * canonical base64url parts, a header that is a canonical JSON object with no member but ours,
 * `alg` exactly ES256 (our allowlist, whatever the token says) and `typ` exactly the payment
 * response type. Reasons come in the order of REASON_PRECEDENCE.
 */
export function inspectPaymentResponse(token: string): JwsInspection {
  return inspectToken(token, inspectHeaderPart);
}

/** The same rule for another of our token kinds (a delegation): uncached, such tokens are few. */
export function inspectCompactJws(token: string, typ: string): JwsInspection {
  return inspectToken(token, (part) => inspectHeader(part, typ));
}

function inspectToken(token: string, inspectHeaderOf: (part: string) => HeaderInspection): JwsInspection {
  if (token.length > MAX_TOKEN_LENGTH) return rejected('MALFORMED');
  const parts = token.split('.');
  if (parts.length !== 3) return rejected('MALFORMED');
  const [headerPart, payloadPart, signaturePart] = parts as [string, string, string];

  const header = inspectHeaderOf(headerPart);
  const payload = decodeCanonicalBase64url(payloadPart);
  const signature = decodeCanonicalBase64url(signaturePart);
  // MALFORMED comes first, so a bad payload or signature part outranks any header reason.
  if (!payload || !signature) return rejected('MALFORMED');
  if ('reason' in header) return rejected(header.reason);
  // The first two parts as sent are a prefix of the token: a slice of it, not a copy.
  const signingInput = token.slice(0, headerPart.length + 1 + payloadPart.length);
  return { ok: true, kid: header.kid, signingInput, signature, payload };
}

type HeaderInspection = { kid: string } | { reason: RejectionReason };

/**
 * Every response signed with one key carries the same header part, so the hot path remembers
 * the verdict on the last few header parts instead of decoding and parsing them again. The
 * verdict depends on the part alone; a flood of distinct headers only costs misses.
 */
const recentHeaders = new Map<string, HeaderInspection>();
const RECENT_HEADERS_KEPT = 16;

function inspectHeaderPart(part: string): HeaderInspection {
  let inspection = recentHeaders.get(part);
  if (inspection === undefined) {
    inspection = inspectHeader(part, PAYMENT_RESPONSE_TYP);
    if (recentHeaders.size >= RECENT_HEADERS_KEPT) recentHeaders.clear();
    recentHeaders.set(part, inspection);
  }
  return inspection;
}

function inspectHeader(part: string, typ: string): HeaderInspection {
  const bytes = decodeCanonicalBase64url(part);
  const header = bytes && parseCanonicalJsonObject(bytes);
  if (!header) return { reason: 'MALFORMED' };
  for (const member of Object.keys(header)) {
    if (!ACCEPTED_HEADER_MEMBERS.has(member)) return { reason: 'MALFORMED' };
  }
  if (header.alg !== SIGNING_ALGORITHM) return { reason: 'UNSUPPORTED_ALGORITHM' };
  if (header.typ !== typ) return { reason: 'WRONG_TYPE' };
  if (typeof header.kid !== 'string') return { reason: 'UNKNOWN_KEY' };
  return { kid: header.kid };
}

/**
 * Decodes non-empty base64url without padding, refusing any other spelling of the same bytes:
 * Node's decoder skips characters outside the alphabet and ignores a last character's spare
 * bits, so two tokens differing in one character could decode alike. Encoding the bytes again
 * gives the one canonical spelling, which only the alphabet can spell: one comparison covers both.
 */
export function decodeCanonicalBase64url(part: string): Uint8Array | undefined {
  if (part === '') return undefined;
  const bytes = Buffer.from(part, 'base64url');
  return bytes.toString('base64url') === part ? bytes : undefined;
}

/**
 * Parses JSON that must be an object in exactly the form JSON.stringify gives it, as our signer
 * writes it. One comparison rejects duplicate member names (JSON.parse would keep the last,
 * another parser the first), whitespace, alternative escapes and a byte order mark.
 */
export function parseCanonicalJsonObject(bytes: Uint8Array): Record<string, unknown> | undefined {
  let text: string;
  let value: unknown;
  try {
    text = utf8.decode(bytes);
    value = JSON.parse(text);
  } catch {
    return undefined; // not UTF-8 or not JSON: both mean "not ours"
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  return JSON.stringify(value) === text ? (value as Record<string, unknown>) : undefined;
}

function rejected(reason: RejectionReason): { ok: false; reason: RejectionReason } {
  return { ok: false, reason };
}
