import {
  type AppError,
  ConfigUnavailableError,
  type ErrorCode,
  IdempotencyKeyExpiredError,
  IdempotencyKeyReusedError,
  KeysUnavailableError,
  LedgerUnavailableError,
  LivemodeUnavailableError,
  MalformedBodyError,
  MerchantMismatchError,
  MerchantRegistryUnavailableError,
  MerchantSuspendedError,
  PayloadTooLargeError,
  ProcessorUnavailableError,
  RequestInFlightError,
  SigningUnavailableError,
  UnknownCallerError,
  UnsupportedMediaTypeError,
  ValidationError,
  VerdictUnavailableError,
} from '../../shared/errors.js';
import { problemResponse } from '../../shared/http/problem.js';

/** The codes only the operators' CLIs raise: no route answers them. */
type CliOnlyCode = 'invalid-config' | 'config-conflict' | 'config-version-not-found';
export type ProblemCode = Exclude<ErrorCode, CliOnlyCode> | 'internal';

/**
 * One error of each code, as the functions raise them. Their status and headers are read from
 * what shared/http/problem.ts answers for them, so the document cannot drift from the mapping;
 * a new error code does not compile until it has a sample here.
 */
const SAMPLES: Readonly<Record<ProblemCode, unknown>> = {
  'validation-failed': new ValidationError('sample', [{ path: 'orderId', message: 'sample' }]),
  'malformed-body': new MalformedBodyError('sample'),
  'unsupported-media-type': new UnsupportedMediaTypeError('sample'),
  'payload-too-large': new PayloadTooLargeError(1),
  'idempotency-key-reused': new IdempotencyKeyReusedError(),
  'idempotency-key-expired': new IdempotencyKeyExpiredError('pay_sample', 'SETTLED', '2026-01-01T00:00:00.000Z', 24),
  'request-in-flight': new RequestInFlightError(),
  'unknown-caller': new UnknownCallerError(undefined),
  'merchant-suspended': new MerchantSuspendedError('m_sample'),
  'merchant-mismatch': new MerchantMismatchError('m_sample', 'm_other'),
  'livemode-unavailable': new LivemodeUnavailableError('m_sample', 'sandbox'),
  'processor-unavailable': new ProcessorUnavailableError(),
  'ledger-unavailable': new LedgerUnavailableError(undefined),
  'signing-unavailable': new SigningUnavailableError(undefined),
  'merchants-unavailable': new MerchantRegistryUnavailableError(undefined),
  'keys-unavailable': new KeysUnavailableError(undefined),
  'config-unavailable': new ConfigUnavailableError(),
  'verdict-unavailable': new VerdictUnavailableError(undefined),
  // Anything that is not one of ours: the generic 500.
  internal: new Error('sample'),
};

export interface ProblemAnswer {
  status: number;
  /** The problem types of this status, e.g. `/problems/unknown-caller`. */
  types: string[];
  /** Response headers and whether every problem of this status carries them. */
  headers: Map<string, boolean>;
  /** Extension members every problem of this status carries (`errors`, `paymentId`, ...). */
  requiredMembers: string[];
}

const RFC_9457_MEMBERS = new Set(['type', 'title', 'status', 'detail', 'instance']);

/** The problems a route may answer, one entry per status, in status order. */
export function problemAnswers(codes: readonly ProblemCode[]): ProblemAnswer[] {
  const byStatus = new Map<number, { types: string[]; headerSets: Set<string>[]; memberSets: Set<string>[] }>();
  for (const code of codes) {
    const sample = SAMPLES[code] as AppError | Error;
    const response = problemResponse(sample);
    const body = JSON.parse(response.body ?? '{}') as { type: string };
    if (body.type !== `/problems/${code}`) throw new Error(`The sample for ${code} answers ${body.type}`);
    const entry = byStatus.get(response.statusCode!) ?? { types: [], headerSets: [], memberSets: [] };
    entry.types.push(body.type);
    entry.memberSets.push(new Set(Object.keys(body).filter((member) => !RFC_9457_MEMBERS.has(member))));
    entry.headerSets.push(new Set(Object.keys(response.headers ?? {}).filter((name) => name !== 'content-type')));
    byStatus.set(response.statusCode!, entry);
  }
  return [...byStatus]
    .sort(([a], [b]) => a - b)
    .map(([status, { types, headerSets, memberSets }]) => {
      const headers = new Map<string, boolean>();
      for (const name of new Set(headerSets.flatMap((set) => [...set]))) headers.set(name, headerSets.every((set) => set.has(name)));
      const requiredMembers = [...memberSets[0]!].filter((member) => memberSets.every((set) => set.has(member))).sort();
      return { status, types, headers, requiredMembers };
    });
}
