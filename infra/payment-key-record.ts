import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import * as z from '../shared/zod.js';
import { earlyRetirement, type RetirementInsideWindowError } from './key-retirement.js';
import { REPOSITORY_ROOT } from './project-root.js';

/**
 * The payment-key record: every generation the deployment ever had, newest first, when each
 * became current, and which are retired. It is checked in, so no deploy can forget it (a
 * command-line list could be, and fell back to the first generation); synth derives the trusted
 * generations from it and refuses a retirement inside its window unless the record says forced.
 */
export const PAYMENT_KEY_RECORD_FILE = 'deploy/payment-keys.json';

// Current and previous: a rotation needs the old key trusted only until the responses it
// signed are no longer checked; a third generation would keep a retired key trusted for nothing.
export const MAX_TRUSTED_GENERATIONS = 2;

/** Generations become logical ids and alias names. */
export const GENERATION_NAME = /^[A-Za-z0-9]{1,32}$/;

const instant = z.iso.datetime({ offset: true });

const generationEntry = z.strictObject({
  generation: z.string().check(z.regex(GENERATION_NAME, 'generations are 1-32 letters or digits (they become logical ids and alias names)')),
  currentSince: instant,
  /** Present once retired: the generation is then no longer trusted, and stays here as history. */
  retiredAt: z.optional(instant),
  /** The retirement was made inside its window, knowingly. */
  forced: z.optional(z.literal(true)),
});

const recordSchema = z
  .strictObject({
    /** How long after a generation stops being current its receipts must still verify: the operator's choice. */
    receiptVerifiableHours: z.number().check(z.int(), z.positive()),
    generations: z.array(generationEntry).check(z.minLength(1, 'must name at least the current generation')),
  })
  .check(z.superRefine((record, issues) => historyProblems(record.generations).forEach((message) => issues.addIssue({ code: 'custom', path: ['generations'], message }))));

export type PaymentKeyRecord = z.infer<typeof recordSchema>;
export type PaymentKeyGeneration = PaymentKeyRecord['generations'][number];

function historyProblems(generations: readonly PaymentKeyGeneration[]): string[] {
  const problems: string[] = [];
  const names = generations.map((entry) => entry.generation);
  if (new Set(names).size !== names.length) problems.push('generation names must be unique: never reuse one');
  generations.forEach((entry, index) => {
    const newer = generations[index - 1];
    if (newer && Date.parse(newer.currentSince) <= Date.parse(entry.currentSince)) {
      problems.push(`newest first: ${newer.generation} must have become current after ${entry.generation}`);
    }
    if (entry.forced && !entry.retiredAt) problems.push(`${entry.generation}: forced is only for a retired generation`);
    if (newer?.retiredAt && !entry.retiredAt) problems.push(`${entry.generation} is trusted while the newer ${newer.generation} is retired`);
  });
  if (generations[0]?.retiredAt) problems.push(`${generations[0].generation} is the current generation: it cannot be retired`);
  const trusted = generations.filter((entry) => !entry.retiredAt).length;
  if (trusted > MAX_TRUSTED_GENERATIONS) {
    problems.push(`at most ${MAX_TRUSTED_GENERATIONS} generations may be trusted (current, previous): retire the oldest`);
  }
  return problems;
}

export function parsePaymentKeyRecord(value: unknown, source: string): PaymentKeyRecord {
  const result = recordSchema.safeParse(value);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => `${issue.path.join('.') || '(record)'}: ${issue.message}`);
  throw new Error(`Invalid payment-key record ${source}: ${problems.join('; ')}`);
}

/** Reads the record file; a missing one is an error: nothing else says which keys are deployed. */
export function readPaymentKeyRecord(file: string): PaymentKeyRecord {
  const path = resolve(REPOSITORY_ROOT, file);
  if (!existsSync(path)) {
    throw new Error(
      `Invalid payment-key record: ${file} does not exist. It is the checked-in history of the payment-key generations; ` +
        'restore it from version control (see README, "Key rotation").',
    );
  }
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new Error(`Invalid payment-key record ${file}: ${(error as Error).message}`);
  }
  return parsePaymentKeyRecord(value, file);
}

/** The generations verifiers trust, current first. */
export function trustedGenerations(record: PaymentKeyRecord): string[] {
  return record.generations.filter((entry) => !entry.retiredAt).map((entry) => entry.generation);
}

/** When each generation but the current one stopped being current: when the next became current. */
function stoppedBeingCurrent(record: PaymentKeyRecord, index: number): Date {
  const newer = record.generations[index - 1];
  if (!newer) throw new Error(`generation ${record.generations[index]?.generation} is current`);
  return new Date(newer.currentSince);
}

/** The retirements synth refuses: inside their window at `now` and not marked forced. */
export function unforcedEarlyRetirements(record: PaymentKeyRecord, now: Date): RetirementInsideWindowError[] {
  return record.generations.flatMap((entry, index) => {
    if (!entry.retiredAt || entry.forced) return [];
    const refusal = earlyRetirement(`generation ${entry.generation}`, stoppedBeingCurrent(record, index), record.receiptVerifiableHours, now, `"forced": true on it, or npm run keys -- retire --force`);
    return refusal ? [refusal] : [];
  });
}

/** The record with the oldest trusted generation retired at `now`; inside its window only with `force`. */
export function withRetirement(record: PaymentKeyRecord, now: Date, { force = false } = {}): PaymentKeyRecord {
  const index = record.generations.findLastIndex((entry) => !entry.retiredAt);
  if (index < 1) throw new Error(`nothing to retire: ${record.generations[0]?.generation} is the only trusted generation`);
  const entry = record.generations[index]!;
  const refusal = earlyRetirement(`generation ${entry.generation}`, stoppedBeingCurrent(record, index), record.receiptVerifiableHours, now, '--force');
  if (refusal && !force) throw refusal;
  const retired: PaymentKeyGeneration = { ...entry, retiredAt: now.toISOString(), ...(refusal ? { forced: true as const } : {}) };
  return { ...record, generations: record.generations.map((each, at) => (at === index ? retired : each)) };
}

/**
 * The record with `generation` current from `now`. The previous current stays trusted; if that
 * makes one generation too many, the oldest is retired, under the same window rule.
 */
export function withRotation(record: PaymentKeyRecord, generation: string, now: Date, { force = false } = {}): PaymentKeyRecord {
  if (record.generations.some((entry) => entry.generation === generation)) throw new Error(`generation ${generation} existed already: never reuse a name`);
  const prepended = { ...record, generations: [{ generation, currentSince: now.toISOString() }, ...record.generations] };
  const rotated = trustedGenerations(prepended).length > MAX_TRUSTED_GENERATIONS ? withRetirement(prepended, now, { force }) : prepended;
  // A malformed name, or a clock behind the current generation's start, is refused here.
  return parsePaymentKeyRecord(rotated, `after rotating to ${generation}`);
}

/** What synth takes from the record: the trusted generations, and how long receipts must stay verifiable. */
export interface DeployedPaymentKeys {
  /** Current first, then at most one previous. */
  generations: string[];
  receiptVerifiableHours: number;
}

/**
 * The trusted generations for synth, current first, and the record's receipt life, from the
 * record the context names (a file, relative to the repository root, or the record itself), at
 * `now`. Refuses a retirement inside its window unless forced, and a command-line list
 * (`-c paymentKeyGenerations`) that disagrees.
 */
export function deployedPaymentKeys(setting: unknown, commandLine: readonly string[] | undefined, now: Date): DeployedPaymentKeys {
  const { record, source } = recordFrom(setting);
  const early = unforcedEarlyRetirements(record, now);
  if (early.length > 0) throw new Error(`Invalid CDK context: paymentKeyRecord ${source}: ${early.map((error) => error.message).join('; ')}`);
  const trusted = trustedGenerations(record);
  if (commandLine && commandLine.join(',') !== trusted.join(',')) {
    throw new Error(
      `Invalid CDK context: paymentKeyGenerations: ${JSON.stringify(commandLine)} disagrees with the payment-key record ${source}, ` +
        `which trusts ${JSON.stringify(trusted)}. The record decides: change it with npm run keys -- rotate|retire, or drop -c paymentKeyGenerations.`,
    );
  }
  return { generations: trusted, receiptVerifiableHours: record.receiptVerifiableHours };
}

function recordFrom(setting: unknown): { record: PaymentKeyRecord; source: string } {
  if (setting === undefined) return { record: readPaymentKeyRecord(PAYMENT_KEY_RECORD_FILE), source: PAYMENT_KEY_RECORD_FILE };
  if (typeof setting === 'string') return { record: readPaymentKeyRecord(setting), source: setting };
  const source = '(given as context)';
  return { record: parsePaymentKeyRecord(setting, source), source };
}

/**
 * What the current record rewrote of the history its earlier versions recorded, instead of adding
 * to it: synth sees one record and cannot tell that an entry was deleted, a `currentSince` moved,
 * a retirement undone or the receipt life shortened, each of which would retire a generation
 * unseen. Judged against what each version first said, so a rewrite already undone is no finding.
 */
export function historyRewrites(history: readonly PaymentKeyRecord[], current: PaymentKeyRecord): string[] {
  const firstSeen = new Map<string, PaymentKeyGeneration>();
  for (const record of history) {
    for (const entry of record.generations) {
      const seen = firstSeen.get(entry.generation);
      if (!seen) firstSeen.set(entry.generation, entry);
      else if (!seen.retiredAt && entry.retiredAt) firstSeen.set(entry.generation, { ...seen, retiredAt: entry.retiredAt, ...(entry.forced ? { forced: true } : {}) });
    }
  }
  const problems: string[] = [];
  const now = new Map(current.generations.map((entry) => [entry.generation, entry]));
  for (const [generation, seen] of firstSeen) {
    const entry = now.get(generation);
    if (!entry) {
      problems.push(`generation ${generation} was removed: never delete a generation, retire it`);
      continue;
    }
    if (entry.currentSince !== seen.currentSince) problems.push(`generation ${generation}: currentSince changed from ${seen.currentSince} to ${entry.currentSince}`);
    if (seen.retiredAt && entry.retiredAt !== seen.retiredAt) problems.push(`generation ${generation}: its retirement (${seen.retiredAt}) was changed or undone`);
    if (seen.forced && !entry.forced) problems.push(`generation ${generation}: "forced" was removed`);
  }
  const longest = Math.max(...history.map((record) => record.receiptVerifiableHours));
  if (current.receiptVerifiableHours < longest) {
    problems.push(`receiptVerifiableHours went down from ${longest} to ${current.receiptVerifiableHours}: that shortens the windows of generations already rotated out; force a retirement instead`);
  }
  return problems;
}
