import { type ParseArgsConfig, parseArgs } from 'node:util';
import { type Target, TargetError } from './config/target.js';

/**
 * What the operator CLIs (config, merchants, delegations) share: their I/O, exit codes, error kinds, option
 * parsing and the way an AWS failure is told. Each CLI keeps its own commands and refusals.
 */
export interface CliIo {
  env: Record<string, string | undefined>;
  stdout(text: string): void;
  stderr(text: string): void;
  /** Reads a file; '-' means standard input. */
  readFile(path: string): Promise<string>;
}

export const EXIT = { ok: 0, refused: 1, usage: 2, aws: 3 } as const;

/** The command line is wrong: exit 2 with a pointer to --help. */
export class UsageError extends Error {}
/** The operator's request was understood and refused: exit 1. */
export class RefusedError extends Error {}

export function parseCommandLine<O extends NonNullable<ParseArgsConfig['options']>>(argv: readonly string[], options: O) {
  try {
    return parseArgs({ args: [...argv], options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

export function print(io: CliIo, json: boolean, value: unknown, text: () => string): void {
  io.stdout(json ? JSON.stringify(value, null, 2) : text());
}

/**
 * Usage and target problems, then what the CLI itself recognises as a refusal (`refusal` returns
 * the message, or undefined), and anything else as DynamoDB's failure (exit 3).
 */
export function reportFailure(
  error: unknown,
  context: { cli: string; tableVariable: string; target: Target | undefined; io: CliIo; refusal: (error: unknown) => string | undefined },
): number {
  const { io, target } = context;
  if (error instanceof UsageError) {
    io.stderr(`${error.message}\nRun 'npm run ${context.cli} -- --help' for usage.`);
    return EXIT.usage;
  }
  if (error instanceof TargetError) {
    io.stderr(error.message);
    return error.exitCode;
  }
  const refused = error instanceof RefusedError ? `Refused: ${error.message}` : context.refusal(error);
  if (refused !== undefined) {
    io.stderr(refused);
    return EXIT.refused;
  }
  const { name, message } = error as Error;
  if (name === 'ResourceNotFoundException') {
    io.stderr(`No such table: ${target?.description ?? ''}. Check --table / ${context.tableVariable} (and that the local stack is running).`);
  } else {
    io.stderr(`DynamoDB failed (${target?.description ?? 'no target'}): ${name}: ${message}`);
  }
  return EXIT.aws;
}
