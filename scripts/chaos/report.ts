import type { AnswerStats, Longest } from './answer-stats.js';
import { type LedgerAudit, ledgerEqualsAcknowledged } from './ledger-audit.js';
import type { Observations } from './observations.js';

export interface RunFacts {
  mode: 'default' | 'quick';
  seed: number;
  seconds: number;
  functionDeadlineMs: number;
  phases: string[];
}

/** One row of the table; `holds` is set for the checks that decide the verdict. */
interface Row {
  what: string;
  value: string;
  holds?: boolean;
  note?: string;
}

export interface Verdict {
  passed: boolean;
  failed: string[];
  text: string;
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const sample = (keys: string[]) => (keys.length ? ` (${keys.slice(0, 3).join(', ')}${keys.length > 3 ? ', …' : ''})` : '');

export function rowsOf(stats: AnswerStats, ledger: LedgerAudit, observations: Observations, facts: RunFacts): Row[] {
  const extraSignatures = ledger.kmsSigns - ledger.completedRecords;
  const deadline = facts.functionDeadlineMs;
  return [
    { what: 'requests sent', value: String(stats.requestsSent) },
    ...[...stats.byStatus].map(([status, count]) => ({ what: `  ${status}`, value: String(count) })),
    { what: 'keys acknowledged (201/402 seen)', value: String(ledger.acknowledged) },
    { what: 'ledger completed records', value: String(ledger.completedRecords) },
    {
      what: 'ledger = acknowledged',
      value: ledgerEqualsAcknowledged(ledger) ? 'yes' : `no${sample([...ledger.lost, ...ledger.mismatched, ...ledger.duplicateSignatures, ...ledger.strangers])}`,
      holds: ledgerEqualsAcknowledged(ledger),
    },
    { what: 'lost (acknowledged, no record)', value: `${ledger.lost.length}${sample(ledger.lost)}`, holds: ledger.lost.length === 0 },
    { what: 'unacknowledged but recorded', value: `${ledger.unacknowledgedRecorded.length}${sample(ledger.unacknowledgedRecorded)}`, note: 'clients gave up first; not a loss' },
    { what: 'duplicate signatures (responses per key > 1)', value: `${ledger.duplicateSignatures.length}${sample(ledger.duplicateSignatures)}`, holds: ledger.duplicateSignatures.length === 0 },
    { what: 'KMS Sign calls / completed records', value: `${ledger.kmsSigns} / ${ledger.completedRecords} (${extraSignatures} extra)`, note: 'extra: signed, then lost to a fault or the crash; never released' },
    { what: 'replays not byte-identical', value: `${ledger.replayBytesDiffer.length}${sample(ledger.replayBytesDiffer)}`, holds: ledger.replayBytesDiffer.length === 0 },
    { what: 'key reused with another body: 422', value: `${stats.reuse.refused} of ${stats.reuse.probes}`, holds: stats.reuse.accepted === 0 },
    { what: 'own request refused as reuse (422)', value: `${ledger.ownRequestRefused.length}${sample(ledger.ownRequestRefused)}`, holds: ledger.ownRequestRefused.length === 0 },
    { what: 'verifications disagreeing with settlement', value: `${stats.verifications.disagreeing} of ${stats.verifications.total}`, holds: stats.verifications.disagreeing === 0, note: `${stats.verifications.keysUnavailable} KEYS_UNAVAILABLE under faults` },
    { what: 'pending at end: tok_error (by design)', value: String(ledger.pendingByDesign), note: 'bound to their request, unlocked for a retry' },
    { what: 'orphan locks left', value: `${ledger.orphanLocks.length}${sample(ledger.orphanLocks.map(({ key, held }) => `${key}${held ? ' held' : ''}`))}`, note: 'pending records of other keys' },
    { what: 'keys without a final answer (not tok_error)', value: `${ledger.unresolved.length}${sample(ledger.unresolved)}` },
    { what: 'longest blocked by 409s (not tok_error)', value: longest(stats.longest409Block), note: `a crashed invocation's lock lasts up to the ${seconds(deadline)} deadline` },
    { what: 'longest blocked by 409s, crash aside', value: longest(stats.longest409BlockBesidesCrash), note: 'a write applied whose answer was lost holds its lock as long' },
    { what: "409 to a key's first, lone request", value: `${observations.selfBlocked.length}${sample(observations.selfBlocked)}`, note: 'its own pending record, met again by an SDK retry' },
    { what: '5xx other than documented 502/503', value: `${stats.undocumented5xx.length}${sample(stats.undocumented5xx.map(describe))}`, holds: stats.undocumented5xx.length === 0 },
    { what: 'other undocumented answers', value: `${stats.undocumentedOther.length}${sample(stats.undocumentedOther.map(describe))}`, holds: stats.undocumentedOther.length === 0 },
    { what: 'no answer while the stack was up', value: `${stats.noAnswerWhileUp.length}${sample(stats.noAnswerWhileUp.map((attempt) => attempt.networkError ?? '?'))}`, holds: stats.noAnswerWhileUp.length === 0 },
    { what: 'no answer around the crash', value: String(stats.noAnswerAroundCrash), note: 'the stack was down: clients retried' },
    { what: 'answer time under faults: max / p99', value: `${seconds(stats.underFaults.maxMs)} / ${seconds(stats.underFaults.p99Ms)} (${stats.underFaults.count})`, holds: stats.underFaults.maxMs < deadline, note: `deadline ${seconds(deadline)}` },
    { what: 'answer time otherwise: max / p99', value: `${seconds(stats.steady.maxMs)} / ${seconds(stats.steady.p99Ms)} (${stats.steady.count})` },
  ];
}

function longest({ ms, key, during }: Longest): string {
  return `${seconds(ms)}${key ? ` (${key}, ${during})` : ''}`;
}

function describe(attempt: { route: string; status?: number; problemType?: string; fromGateway: boolean }): string {
  return `${attempt.route} ${attempt.status}${attempt.fromGateway ? ' from the gateway' : ''}${attempt.problemType ? ` ${attempt.problemType}` : ''}`;
}

export function printReport(rows: Row[], facts: RunFacts, write: (line: string) => void): Verdict {
  const whatWidth = Math.max(...rows.map((row) => row.what.length));
  const valueWidth = Math.min(60, Math.max(...rows.map((row) => row.value.length)));
  write('');
  write(`Chaos run (${facts.mode}, seed ${facts.seed}, ${facts.seconds.toFixed(1)} s): ${facts.phases.join(' → ')}`);
  write(`${'-'.repeat(whatWidth + 2)}+${'-'.repeat(valueWidth + 2)}+------`);
  for (const row of rows) {
    const mark = row.holds === undefined ? '' : row.holds ? 'ok' : 'FAIL';
    const note = row.note ? `  ${row.note}` : '';
    write(` ${row.what.padEnd(whatWidth)} | ${row.value.padEnd(valueWidth)} | ${mark.padEnd(4)}${note}`);
  }
  write(`${'-'.repeat(whatWidth + 2)}+${'-'.repeat(valueWidth + 2)}+------`);
  const failed = rows.filter((row) => row.holds === false).map((row) => row.what);
  const text = failed.length
    ? `chaos: FAIL (${failed.join('; ')})`
    : 'chaos: PASS (every acknowledged payment is in the ledger once, as its clients saw it; no duplicate signature; no undocumented 5xx)';
  return { passed: failed.length === 0, failed, text };
}
