// Reads and checks the members of a JSON 1.1 request body the way KMS's service model does:
// a member of the wrong JSON type is a SerializationException, a value outside the model's
// constraints (required, length, range, enum) is a ValidationException.
import { KmsError, validationError } from './errors.js';

export type RequestBody = Record<string, unknown>;

interface LengthLimits {
  min?: number;
  max?: number;
}

export function requiredString(body: RequestBody, member: string, limits: LengthLimits = {}): string {
  const value = optionalString(body, member, limits);
  if (value === undefined) throw validationError(fieldName(member), 'Member must not be null', 'null');
  return value;
}

export function optionalString(body: RequestBody, member: string, limits: LengthLimits = {}): string | undefined {
  const value = body[member];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw wrongType(member, 'a string');
  checkLength(member, value.length, limits, value);
  return value;
}

export function requiredEnum<T extends string>(body: RequestBody, member: string, allowed: readonly T[]): T {
  const value = optionalEnum(body, member, allowed);
  if (value === undefined) throw validationError(fieldName(member), 'Member must not be null', 'null');
  return value;
}

export function optionalEnum<T extends string>(body: RequestBody, member: string, allowed: readonly T[]): T | undefined {
  const value = optionalString(body, member);
  if (value === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(value)) {
    throw validationError(fieldName(member), `Member must satisfy enum value set: [${allowed.join(', ')}]`, value);
  }
  return value as T;
}

/** Binary members (Message, Signature) arrive base64-encoded in JSON. */
export function requiredBlob(body: RequestBody, member: string, limits: LengthLimits = {}): Buffer {
  const value = body[member];
  if (value === undefined || value === null) throw validationError(fieldName(member), 'Member must not be null', 'null');
  if (typeof value !== 'string' || !isBase64(value)) throw wrongType(member, 'base64-encoded binary data');
  const bytes = Buffer.from(value, 'base64');
  checkLength(member, bytes.length, limits);
  return bytes;
}

export function optionalInteger(body: RequestBody, member: string, range: LengthLimits = {}): number | undefined {
  const value = body[member];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value)) throw wrongType(member, 'an integer');
  if (range.min !== undefined && value < range.min) {
    throw validationError(fieldName(member), `Member must have value greater than or equal to ${range.min}`, String(value));
  }
  if (range.max !== undefined && value > range.max) {
    throw validationError(fieldName(member), `Member must have value less than or equal to ${range.max}`, String(value));
  }
  return value;
}

export function optionalBoolean(body: RequestBody, member: string): boolean | undefined {
  const value = body[member];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean') throw wrongType(member, 'a boolean');
  return value;
}

export function optionalList(body: RequestBody, member: string): unknown[] | undefined {
  const value = body[member];
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) throw wrongType(member, 'a list');
  return value;
}

function checkLength(member: string, length: number, limits: LengthLimits, shownValue?: string): void {
  if (limits.min !== undefined && length < limits.min) {
    throw validationError(fieldName(member), `Member must have length greater than or equal to ${limits.min}`, shownValue);
  }
  if (limits.max !== undefined && length > limits.max) {
    // Long values are left out of the message: they would only bloat it.
    throw validationError(fieldName(member), `Member must have length less than or equal to ${limits.max}`);
  }
}

function isBase64(text: string): boolean {
  return text.length % 4 === 0 && /^[A-Za-z0-9+/]*={0,2}$/.test(text);
}

function wrongType(member: string, expected: string): KmsError {
  return new KmsError('SerializationException', `${member} must be ${expected}`);
}

/** KMS names members in validation messages in lower camel case: KeyId becomes 'keyId'. */
function fieldName(member: string): string {
  return member.charAt(0).toLowerCase() + member.slice(1);
}
