import { renameSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { isInsideRetirementWindow, retirementWindowEnd } from '../../infra/key-retirement.js';
import {
  PAYMENT_KEY_RECORD_FILE,
  type PaymentKeyRecord,
  readPaymentKeyRecord,
  withRetirement,
  withRotation,
} from '../../infra/payment-key-record.js';
import { REPOSITORY_ROOT } from '../../infra/project-root.js';
import { EXIT, parseCommandLine, UsageError } from '../cli-kit.js';

export const USAGE = `Edit the checked-in payment-key record that cdk synth reads (${PAYMENT_KEY_RECORD_FILE}).

Usage: npm run keys -- <command> [options]

Commands
  show                          the generations, and when each trusted previous one may be retired
  rotate <generation> [--force] make <generation> current now; the current one stays trusted as previous.
                                With two trusted already, the older is retired: inside its window only with --force
  retire [--force]              stop trusting the previous generation: inside its window only with --force

Options
  --record <file>               another record (relative to the repository root)

Commit the record, then deploy: npx cdk deploy --all`;

const OPTIONS = { record: { type: 'string' }, force: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } as const;

export interface PaymentKeysIo {
  stdout(text: string): void;
  stderr(text: string): void;
  now(): Date;
}

/** `npm run keys -- <command>`: returns the exit code. */
export function runPaymentKeysCli(argv: readonly string[], io: PaymentKeysIo): number {
  try {
    const { values, positionals } = parseCommandLine(argv, OPTIONS);
    if (values.help) {
      io.stdout(USAGE);
      return EXIT.ok;
    }
    const [command, generation, ...extra] = positionals;
    if (extra.length > 0 || (command !== 'rotate' && generation !== undefined)) throw new UsageError(`Unexpected argument '${extra[0] ?? generation}'.`);
    if (command === 'show' && values.force) throw new UsageError("'show' does not take --force.");
    const file = values.record ?? PAYMENT_KEY_RECORD_FILE;
    const record = readPaymentKeyRecord(file);
    const now = io.now();
    const force = values.force === true;
    switch (command) {
      case 'show':
        io.stdout(describe(record, now));
        return EXIT.ok;
      case 'rotate':
        if (generation === undefined) throw new UsageError('Name the new generation, e.g. rotate 2 (never reuse a name).');
        save(file, withRotation(record, generation, now, { force }));
        break;
      case 'retire':
        save(file, withRetirement(record, now, { force }));
        break;
      default:
        throw new UsageError(command === undefined ? 'Name a command: show, rotate, retire.' : `Unknown command '${command}'.`);
    }
    io.stdout(`${describe(readPaymentKeyRecord(file), now)}\nWrote ${file}: commit it, then npx cdk deploy --all.`);
    return EXIT.ok;
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr(`${error.message}\nRun 'npm run keys -- --help' for usage.`);
      return EXIT.usage;
    }
    // A missing or invalid record, a reused name, a retirement inside its window: nothing was written.
    io.stderr(`Refused: ${(error as Error).message}`);
    return EXIT.refused;
  }
}

/** One generation a line, so a rotation is a one-line change in review. */
function formatRecord(record: PaymentKeyRecord): string {
  const lines = record.generations.map((entry) => `    { ${Object.entries(entry).map(([key, value]) => `${JSON.stringify(key)}: ${JSON.stringify(value)}`).join(', ')} }`);
  return `{\n  "receiptVerifiableHours": ${record.receiptVerifiableHours},\n  "generations": [\n${lines.join(',\n')}\n  ]\n}\n`;
}

function save(file: string, record: PaymentKeyRecord): void {
  const path = resolve(REPOSITORY_ROOT, file);
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, formatRecord(record));
  renameSync(temporary, path);
}

function describe(record: PaymentKeyRecord, now: Date): string {
  return record.generations
    .map((entry, index) => {
      if (index === 0) return `current   ${entry.generation}  since ${entry.currentSince}`;
      if (entry.retiredAt) return `retired   ${entry.generation}  at ${entry.retiredAt}${entry.forced ? ' (forced inside its window)' : ''}`;
      const stoppedAt = new Date(record.generations[index - 1]!.currentSince);
      const windowEnd = retirementWindowEnd(stoppedAt, record.receiptVerifiableHours);
      const when = windowEnd.toISOString();
      const state = isInsideRetirementWindow(now, windowEnd) ? `may be retired: ${when}` : 'may be retired now';
      return `previous  ${entry.generation}  stopped being current at ${stoppedAt.toISOString()}; ${state}`;
    })
    .join('\n');
}
