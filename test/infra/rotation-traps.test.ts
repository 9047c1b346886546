import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../infra/app.js';
import { MID_ROTATION_RECORD, withGeneration1Retired } from './support/payment-key-records.js';
import { logicalIdOf, SYNTH_TIMEOUT_MS, WITHOUT_BUNDLING } from './support/synth.js';

// The traps of issue 12, as found: a deploy that forgot the command-line generations fell back
// to ["1"], and nothing stopped a retirement while the old key's responses were still checked or
// replayed. Building the app is enough: the context is judged before any construct exists.

const directory = mkdtempSync(join(tmpdir(), 'signed-pay-key-record-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

function recordFile(record: unknown): string {
  const file = join(directory, `record-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(file, JSON.stringify(record));
  return file;
}

/** The trusted generations' logical ids, current first, as the stateful stack builds them. */
function trustedKeysOf(context: Record<string, unknown>, now?: () => Date): string[] {
  const { stateful } = buildApp({ ...WITHOUT_BUNDLING, ...context }, { now });
  expect(logicalIdOf(stateful.paymentKeys.current)).toBe(logicalIdOf(stateful.paymentKeys.trusted[0]!));
  return stateful.paymentKeys.trusted.map((key) => logicalIdOf(key).replace(/^PaymentSigningKeys(Generation\w+?)[0-9A-F]{8}$/, '$1'));
}

describe('a deploy after a rotation', () => {
  it('that names no generations keeps generation 2 current and 1 trusted: the checked record decides, nothing falls back to ["1"]', () => {
    expect(trustedKeysOf({ paymentKeyRecord: recordFile(MID_ROTATION_RECORD) })).toEqual(['Generation2', 'Generation1']);
  }, SYNTH_TIMEOUT_MS);

  it('fails synth when -c paymentKeyGenerations disagrees with the record, and accepts one that agrees', () => {
    const paymentKeyRecord = recordFile(MID_ROTATION_RECORD);
    expect(() => buildApp({ ...WITHOUT_BUNDLING, paymentKeyRecord, paymentKeyGenerations: '1' })).toThrow(
      /paymentKeyGenerations: \["1"\] disagrees with the payment-key record .*which trusts \["2","1"\]/,
    );
    expect(trustedKeysOf({ paymentKeyRecord, paymentKeyGenerations: '2,1' })).toEqual(['Generation2', 'Generation1']);
  }, SYNTH_TIMEOUT_MS);

  it('fails synth when the record is missing, instead of deploying generation 1', () => {
    expect(() => buildApp({ ...WITHOUT_BUNDLING, paymentKeyRecord: join(directory, 'no-such-record.json') })).toThrow(/no-such-record\.json does not exist/);
  });
});

describe('retiring a generation inside its window', () => {
  it('fails synth, naming the generation, when it stopped being current, how long it must verify and how to force', () => {
    const theDayAfter = () => new Date('2026-06-02T00:00:00.000Z');
    expect(() => buildApp({ ...WITHOUT_BUNDLING, paymentKeyRecord: withGeneration1Retired() }, { now: theDayAfter })).toThrow(
      /generation 1 is still inside its retirement window: it stopped being current at 2026-06-01T00:00:00\.000Z, and its responses must keep verifying until 2026-07-02T00:00:00\.000Z \(the longer of receiptVerifiableHours, 720 h, and the idempotency replay lifetime, 24 h.*after 24 h for the deploy to roll out or back.*"forced": true/,
    );
  });

  it('synthesizes once the window has passed, trusting generation 2 alone', () => {
    const inside = () => new Date('2026-07-01T23:59:59.000Z');
    const after = () => new Date('2026-07-02T00:00:00.000Z');
    expect(() => buildApp({ ...WITHOUT_BUNDLING, paymentKeyRecord: withGeneration1Retired() }, { now: inside })).toThrow(/generation 1 is still inside/);
    expect(trustedKeysOf({ paymentKeyRecord: recordFile(withGeneration1Retired()) }, after)).toEqual(['Generation2']);
  }, SYNTH_TIMEOUT_MS);

  it('synthesizes when the record says forced, trusting generation 2 alone', () => {
    expect(trustedKeysOf({ paymentKeyRecord: withGeneration1Retired({ forced: true }) })).toEqual(['Generation2']);
  }, SYNTH_TIMEOUT_MS);
});
