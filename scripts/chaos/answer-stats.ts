import type { Attempt, Observations } from './observations.js';

/** What the README documents per route; anything else a client gets is a finding. */
const DOCUMENTED: Record<Attempt['route'], { statuses: ReadonlySet<number>; problems: ReadonlySet<string> }> = {
  settlement: {
    statuses: new Set([201, 401, 402, 409, 422, 502, 503]),
    problems: new Set([
      '/problems/request-in-flight',
      '/problems/idempotency-key-reused',
      '/problems/processor-unavailable',
      '/problems/signing-unavailable',
      '/problems/ledger-unavailable',
      '/problems/merchants-unavailable',
    ]),
  },
  // No nonce, no checkLedger: nothing of ours can fail it once the keys are known (KEYS_UNAVAILABLE is a 200).
  verification: { statuses: new Set([200, 503]), problems: new Set(['/problems/ledger-unavailable', '/problems/verdict-unavailable']) },
};

/** An answer may come late after a crash (the client waits for the restart), never from the gateway's timeout. */
const CRASH_GRACE_MS = 1_000;

export interface AnswerStats {
  requestsSent: number;
  byStatus: Map<string, number>;
  /** 5xx whose status or problem type the README does not document, gateway answers included. */
  undocumented5xx: Attempt[];
  /** Other undocumented answers (4xx): a harness or contract problem, reported apart. */
  undocumentedOther: Attempt[];
  /** Attempts that got no HTTP answer while the stack was up: the function must always answer. */
  noAnswerWhileUp: Attempt[];
  noAnswerAroundCrash: number;
  underFaults: Timing;
  steady: Timing;
  longest409Block: Longest;
  /** The same, for blocks that did not come with the crash: what dependency faults alone cost a key. */
  longest409BlockBesidesCrash: Longest;
  verifications: { total: number; disagreeing: number; keysUnavailable: number };
  reuse: { probes: number; refused: number; accepted: number };
}

export interface Longest {
  ms: number;
  key?: string;
  during?: string;
}

export interface Timing {
  count: number;
  p99Ms: number;
  maxMs: number;
}

export function answerStats(observations: Observations): AnswerStats {
  const { attempts } = observations;
  const byStatus = new Map<string, number>();
  for (const attempt of attempts) {
    const label = attempt.status === undefined ? 'no answer' : `${attempt.route === 'verification' ? 'verify ' : ''}${attempt.status}${problemName(attempt)}`;
    byStatus.set(label, (byStatus.get(label) ?? 0) + 1);
  }
  const answered = attempts.filter((attempt) => attempt.status !== undefined);
  const undocumented = answered.filter((attempt) => !isDocumented(attempt));
  const noAnswer = attempts.filter((attempt) => attempt.status === undefined);
  const aroundCrash = (attempt: Attempt) => observations.overlaps(attempt, 'crash', CRASH_GRACE_MS);
  const underFault = (attempt: Attempt) => observations.overlaps(attempt, 'fault');

  // tok_error keys are left out: their racers take turns failing, and block each other by design.
  const blocks = observations.blocks
    .filter(({ key }) => observations.payments.get(key)?.body.paymentMethod.token !== 'tok_error')
    .map(({ key, from, to }) => ({ key, startedAt: from, endedAt: to }));
  const settled = observations.verifications;
  const keysUnavailable = settled.filter((check) => check.reason === 'KEYS_UNAVAILABLE').length;
  const disagreeing = settled.filter((check) => check.reason !== 'KEYS_UNAVAILABLE' && check.paymentCompleted !== (check.settledWith === 201)).length;
  const reuseFinal = observations.reuseAnswers.filter((status) => [201, 402, 422].includes(status));

  return {
    requestsSent: attempts.length,
    byStatus: new Map([...byStatus].sort(([a], [b]) => a.localeCompare(b))),
    undocumented5xx: undocumented.filter((attempt) => attempt.status! >= 500),
    undocumentedOther: undocumented.filter((attempt) => attempt.status! < 500),
    noAnswerWhileUp: noAnswer.filter((attempt) => !aroundCrash(attempt)),
    noAnswerAroundCrash: noAnswer.filter(aroundCrash).length,
    underFaults: timing(answered.filter((attempt) => underFault(attempt) && !aroundCrash(attempt))),
    steady: timing(answered.filter((attempt) => !underFault(attempt) && !aroundCrash(attempt))),
    longest409Block: longest(observations, blocks),
    longest409BlockBesidesCrash: longest(observations, blocks.filter((block) => observations.causeOf(block)?.kind !== 'crash')),
    verifications: { total: settled.length, disagreeing, keysUnavailable },
    reuse: { probes: reuseFinal.length, refused: reuseFinal.filter((status) => status === 422).length, accepted: reuseFinal.filter((status) => status !== 422).length },
  };
}

/** Which problem a failure was, so the table shows which dependency path each fault reached. */
function problemName(attempt: Attempt): string {
  if (attempt.fromGateway) return ' (gateway)';
  return attempt.problemType ? ` ${attempt.problemType.replace(/^\/problems\//, '')}` : '';
}

function isDocumented(attempt: Attempt): boolean {
  const documented = DOCUMENTED[attempt.route];
  if (attempt.fromGateway && attempt.status !== 401) return false;
  if (!documented.statuses.has(attempt.status!)) return false;
  if (attempt.status! < 409) return true;
  // A documented failure carries its documented problem type, and a 503 says when to retry.
  if (attempt.problemType === undefined || !documented.problems.has(attempt.problemType)) return false;
  return attempt.status !== 503 || attempt.retryAfter !== undefined;
}

function longest(observations: Observations, spans: Array<{ key: string; startedAt: number; endedAt: number }>): Longest {
  let found: Longest = { ms: 0 };
  for (const span of spans) {
    const ms = span.endedAt - span.startedAt;
    if (ms > found.ms) found = { ms, key: span.key, during: observations.during(span) };
  }
  return found;
}

function timing(attempts: Attempt[]): Timing {
  const durations = attempts.map((attempt) => attempt.endedAt - attempt.startedAt).sort((a, b) => a - b);
  const at = (fraction: number) => durations[Math.min(durations.length - 1, Math.ceil(fraction * durations.length) - 1)] ?? 0;
  return { count: durations.length, p99Ms: at(0.99), maxMs: durations[durations.length - 1] ?? 0 };
}
