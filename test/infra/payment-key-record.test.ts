import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../infra/app.js';
import { IDEMPOTENT_REPLAY_LIFETIME_HOURS, retirementWindowEnd, ROLLOUT_MARGIN_HOURS } from '../../infra/key-retirement.js';
import {
  PAYMENT_KEY_RECORD_FILE,
  parsePaymentKeyRecord,
  readPaymentKeyRecord,
  trustedGenerations,
  unforcedEarlyRetirements,
  withRetirement,
  withRotation,
} from '../../infra/payment-key-record.js';
import { REPOSITORY_ROOT } from '../../infra/project-root.js';
import { runPaymentKeysCli } from '../../scripts/payment-keys/cli.js';
import { MID_ROTATION_RECORD, withGeneration1Retired } from './support/payment-key-records.js';
import { logicalIdOf, WITHOUT_BUNDLING } from './support/synth.js';

const HOUR = 3_600_000;
const ROTATED_AT = new Date('2026-06-01T00:00:00.000Z');
const after = (hours: number) => new Date(ROTATED_AT.getTime() + hours * HOUR);
const record = () => parsePaymentKeyRecord(structuredClone(MID_ROTATION_RECORD), 'test');

describe('the retirement window', () => {
  it('is the longer of the receipt life the operator chose and the idempotency replay lifetime', () => {
    // Each after the rollout margin: the old key may sign until the deploy has rolled out (or back).
    expect(retirementWindowEnd(ROTATED_AT, 720, 24)).toEqual(after(ROLLOUT_MARGIN_HOURS + 720));
    expect(retirementWindowEnd(ROTATED_AT, 24, 48)).toEqual(after(ROLLOUT_MARGIN_HOURS + 48));
    // Settlement replays a payment's signed response for a day (shared/domain/settlement/idempotency.ts).
    expect(IDEMPOTENT_REPLAY_LIFETIME_HOURS).toBe(24);
    expect(retirementWindowEnd(ROTATED_AT, 1)).toEqual(after(ROLLOUT_MARGIN_HOURS + 24));
  });

  it('lets synth accept an unforced retirement only once it has ended', () => {
    const retired = parsePaymentKeyRecord({ ...withGeneration1Retired(), receiptVerifiableHours: 24 }, 'test');
    expect(unforcedEarlyRetirements(retired, after(47)).map((error) => error.message)).toEqual([
      expect.stringMatching(/^generation 1 is still inside its retirement window: .* must keep verifying until 2026-06-03T00:00:00\.000Z/),
    ]);
    expect(unforcedEarlyRetirements(retired, after(48))).toEqual([]);
  });
});

describe('the payment-key record', () => {
  it('in the repository is valid, so a plain cdk synth trusts what it says', () => {
    const checked = readPaymentKeyRecord(PAYMENT_KEY_RECORD_FILE);
    expect(trustedGenerations(checked).length).toBeGreaterThan(0);
  });

  it('refuses a history that could hide a retirement or a typo', () => {
    const [two, one] = MID_ROTATION_RECORD.generations;
    const refused = (generations: unknown[], message: RegExp) =>
      expect(() => parsePaymentKeyRecord({ receiptVerifiableHours: 24, generations }, 'test')).toThrow(message);
    refused([one, two], /newest first/);
    refused([{ ...two, retiredAt: '2026-06-02T00:00:00Z' }, one], /2 is the current generation: it cannot be retired/);
    refused([{ generation: '3', currentSince: '2026-07-01T00:00:00Z' }, { ...two, retiredAt: '2026-07-02T00:00:00Z' }, one], /1 is trusted while the newer 2 is retired/);
    refused([{ generation: '3', currentSince: '2026-07-01T00:00:00Z' }, two, one], /at most 2 generations may be trusted/);
    refused([{ ...two, generation: '1' }, one], /never reuse/);
    refused([two, { ...one, retireAt: '2026-06-02T00:00:00Z' }], /generations\.1: Unrecognized key/i);
    refused([two, { ...one, forced: true }], /forced is only for a retired generation/);
  });

  it('rotates: the new generation is current from now, the old one trusted as previous', () => {
    const rotated = withRotation(parsePaymentKeyRecord({ receiptVerifiableHours: 24, generations: [MID_ROTATION_RECORD.generations[1]] }, 'test'), '2', ROTATED_AT);
    expect(rotated.generations[0]).toEqual({ generation: '2', currentSince: ROTATED_AT.toISOString() });
    expect(trustedGenerations(rotated)).toEqual(['2', '1']);
    expect(() => withRotation(rotated, '1', after(1))).toThrow(/never reuse/);
  });

  it('refuses a rotation or retirement that would retire a generation inside its window, unless forced, and records the force', () => {
    expect(() => withRotation(record(), '3', after(700))).toThrow(/generation 1 is still inside its retirement window.*--force/);
    expect(() => withRetirement(record(), after(700))).toThrow(/generation 1 is still inside/);
    const forced = withRotation(record(), '3', after(700), { force: true });
    expect(trustedGenerations(forced)).toEqual(['3', '2']);
    expect(forced.generations[2]).toEqual({ ...MID_ROTATION_RECORD.generations[1], retiredAt: after(700).toISOString(), forced: true });
    // After the window (720 h), no force is needed and none is recorded.
    expect(withRetirement(record(), after(744)).generations[1]).toEqual({ ...MID_ROTATION_RECORD.generations[1], retiredAt: after(744).toISOString() });
    expect(() => withRetirement(withRetirement(record(), after(1), { force: true }), after(2))).toThrow(/nothing to retire/);
  });
});

describe('npm run keys', () => {
  const directory = mkdtempSync(join(tmpdir(), 'signed-pay-keys-cli-'));
  afterAll(() => rmSync(directory, { recursive: true, force: true }));

  function run(argv: string[], now = ROTATED_AT) {
    let stdout = '';
    let stderr = '';
    const code = runPaymentKeysCli(argv, { stdout: (text) => (stdout += text), stderr: (text) => (stderr += text), now: () => now });
    return { code, stdout, stderr };
  }

  it('rotates the checked record so that the next synth, with no generations on the command line, signs with the new one', () => {
    const file = join(directory, 'payment-keys.json');
    copyFileSync(join(REPOSITORY_ROOT, PAYMENT_KEY_RECORD_FILE), file);
    const current = trustedGenerations(readPaymentKeyRecord(file))[0]!;
    expect(run(['rotate', 'next', '--record', file], new Date())).toMatchObject({ code: 0, stdout: expect.stringContaining(`previous  ${current}`) });
    // One generation a line: a rotation is a one-line change in review.
    expect(readFileSync(file, 'utf8')).toMatch(/^ {4}\{ "generation": "next", "currentSince": "[^"]+" \},$/m);

    const { stateful } = buildApp({ ...WITHOUT_BUNDLING, paymentKeyRecord: file });
    expect(stateful.paymentKeys.trusted.map((key) => logicalIdOf(key))).toEqual([
      expect.stringMatching(/^PaymentSigningKeysGenerationnext/),
      expect.stringMatching(new RegExp(`^PaymentSigningKeysGeneration${current}[0-9A-F]{8}$`)),
    ]);
  });

  it('refuses (exit 1, the file untouched) to retire inside the window without --force, and says how to force', () => {
    const file = join(directory, 'mid-rotation.json');
    const original = `${JSON.stringify(MID_ROTATION_RECORD)}\n`;
    writeFileSync(file, original);
    expect(run(['retire', '--record', file], after(700))).toMatchObject({ code: 1, stderr: expect.stringMatching(/^Refused: generation 1 is still inside .*\(--force\)/) });
    expect(readFileSync(file, 'utf8')).toBe(original);
    expect(run(['retire', '--force', '--record', file], after(700))).toMatchObject({ code: 0, stdout: expect.stringContaining('retired   1') });
    expect(run(['rotate', '--record', file])).toMatchObject({ code: 2, stderr: expect.stringContaining('Name the new generation') });
  });
});
