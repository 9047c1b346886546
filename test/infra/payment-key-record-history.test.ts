import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { historyRewrites, parsePaymentKeyRecord, PAYMENT_KEY_RECORD_FILE, withRetirement, withRotation } from '../../infra/payment-key-record.js';
import { REPOSITORY_ROOT } from '../../infra/project-root.js';
import { MID_ROTATION_RECORD } from './support/payment-key-records.js';

const record = () => parsePaymentKeyRecord(structuredClone(MID_ROTATION_RECORD), 'test');
// Inside generation 1's window, so a retirement then is forced and says so.
const LATER = new Date('2026-06-02T00:00:00.000Z');

describe('a change of the payment-key record', () => {
  it('may add a generation and retire old ones, as npm run keys does', () => {
    expect(historyRewrites([record()], withRotation(record(), '3', LATER, { force: true }))).toEqual([]);
    expect(historyRewrites([record()], withRetirement(record(), LATER, { force: true }))).toEqual([]);
  });

  it('may not delete an entry, move a currentSince, or undo a retirement: each would retire a generation unseen', () => {
    const [two, one] = record().generations;
    const changed = (generations: unknown[], receiptVerifiableHours = 720) =>
      historyRewrites([record()], parsePaymentKeyRecord({ receiptVerifiableHours, generations }, 'test'));
    expect(changed([two])).toEqual(['generation 1 was removed: never delete a generation, retire it']);
    expect(changed([two, one], 24)).toEqual([expect.stringContaining('receiptVerifiableHours went down from 720 to 24')]);
    expect(changed([{ ...two, currentSince: '2026-05-01T00:00:00.000Z' }, one])).toEqual([
      'generation 2: currentSince changed from 2026-06-01T00:00:00.000Z to 2026-05-01T00:00:00.000Z',
    ]);
    const retired = withRetirement(record(), LATER, { force: true });
    expect(historyRewrites([record(), retired], record())).toEqual([
      `generation 1: its retirement (${LATER.toISOString()}) was changed or undone`,
      'generation 1: "forced" was removed',
    ]);
  });

  it('is judged against what history first said, so a rewrite already undone is no finding', () => {
    const [two, one] = record().generations;
    const rewritten = parsePaymentKeyRecord({ receiptVerifiableHours: 720, generations: [{ ...two, currentSince: '2026-05-01T00:00:00.000Z' }, one] }, 'test');
    expect(historyRewrites([record(), rewritten], record())).toEqual([]);
    expect(historyRewrites([record(), record()], rewritten)).toHaveLength(1);
  });
});

// Synth judges one record; the repository's history shows every change made to it.
describe(`${PAYMENT_KEY_RECORD_FILE} in this repository's history`, () => {
  const git = (...args: string[]) => execFileSync('git', args, { cwd: REPOSITORY_ROOT, encoding: 'utf8' });
  let commits: string[] = [];
  try {
    commits = git('log', '--format=%H', '--', PAYMENT_KEY_RECORD_FILE).trim().split('\n').filter(Boolean).reverse();
  } catch {
    // Not a git checkout (an unpacked archive): nothing to compare.
  }

  it.runIf(commits.length > 0)('only ever appended generations and retirements, up to the working tree', () => {
    const versions = [
      ...commits.map((commit) => ({ at: commit.slice(0, 10), text: git('show', `${commit}:${PAYMENT_KEY_RECORD_FILE}`) })),
      { at: 'working tree', text: readFileSync(join(REPOSITORY_ROOT, PAYMENT_KEY_RECORD_FILE), 'utf8') },
    ];
    const records = versions.map(({ text, at }) => parsePaymentKeyRecord(JSON.parse(text), at));
    expect(historyRewrites(records.slice(0, -1), records.at(-1)!)).toEqual([]);
  });

  // A shallow clone shows one version only, and the check above would pass whatever was rewritten.
  it.runIf(process.env.CI === 'true')('has the whole history to read under CI', () => {
    expect(git('rev-parse', '--is-shallow-repository').trim()).toBe('false');
  });
});
