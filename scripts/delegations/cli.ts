import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { LOCAL_TABLES } from '../../local/tables.js';
import { DynamoDbDelegationRegistry } from '../../shared/adapters/dynamodb-delegation-registry.js';
import { type DelegationScope, jwkThumbprintSchema } from '../../shared/domain/delegation/delegation.js';
import type { DelegationRegistry } from '../../shared/domain/delegation/delegation-registry.js';
import { readLocalEndpoints, resolveTarget, type Target } from '../config/target.js';
import { type CliIo, EXIT, parseCommandLine, print, RefusedError, reportFailure, UsageError } from '../cli-kit.js';
import { type ScopeName, SCOPES, scopeNameOf } from './scopes.js';
import { COMMAND_USAGE, commandUsage, USAGE } from './usage.js';
import { listText, revokeText, showText, viewOf } from './view.js';

const OPTIONS = {
  scope: { type: 'string' },
  table: { type: 'string' },
  local: { type: 'boolean' },
  reason: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

type OptionName = keyof typeof OPTIONS;
type Command = keyof typeof COMMAND_USAGE;

const CONNECTION: OptionName[] = ['scope', 'table', 'local', 'json'];
const COMMANDS: Record<Command, { kid: boolean; options: OptionName[] }> = {
  list: { kid: false, options: CONNECTION },
  show: { kid: true, options: CONNECTION },
  revoke: { kid: true, options: [...CONNECTION, 'reason'] },
};
const DELEGATION_TABLE = { variable: 'DELEGATION_TABLE_NAME', localName: LOCAL_TABLES.DELEGATION_TABLE_NAME.TableName };

/** What the command line asks for, checked before anything connects. */
interface Request {
  command: Command;
  scope: DelegationScope;
  /** show and revoke only */
  kid: string;
  /** revoke only */
  reason: string;
  json: boolean;
}

interface Context extends Request {
  registry: DelegationRegistry;
  io: CliIo;
  now: Date;
}

/** `npm run delegations -- <command>`: returns the exit code. */
export async function runDelegationsCli(argv: readonly string[], io: CliIo): Promise<number> {
  let target: Target | undefined;
  try {
    const { values, positionals } = parseCommandLine(kidsAsPositionals(argv), OPTIONS);
    if (values.help) {
      const [command] = positionals;
      io.stdout(isCommand(command) ? commandUsage(command) : USAGE);
      return EXIT.ok;
    }
    const request = requestFrom(values, positionals);
    const local = values.local ? await readLocalEndpoints(io) : undefined;
    target = resolveTarget({ table: values.table, localEndpoint: local?.dynamodb, env: io.env, tableChoice: DELEGATION_TABLE });
    const client = new DynamoDBClient(target.clientConfig);
    try {
      const registry = new DynamoDbDelegationRegistry(DynamoDBDocumentClient.from(client), target.tableName);
      const context: Context = { ...request, registry, io, now: new Date() };
      if (request.command === 'list') return await list(context);
      if (request.command === 'show') return await show(context);
      return await revoke(context);
    } finally {
      client.destroy();
    }
  } catch (error) {
    return reportFailure(error, { cli: 'delegations', tableVariable: DELEGATION_TABLE.variable, target, io, refusal: () => undefined });
  }
}

/**
 * A kid is base64url and may begin with '-' (one in 64 does): such an argument is a kid, never an
 * option, unless it is the value of an option that takes one. It goes after `--`, where the
 * parser takes everything as positional.
 */
function kidsAsPositionals(argv: readonly string[]): string[] {
  const takesValue = (arg: string | undefined) =>
    arg !== undefined && Object.entries(OPTIONS).some(([name, option]) => option.type === 'string' && arg === `--${name}`);
  const isKid = (arg: string, index: number) => arg.startsWith('-') && jwkThumbprintSchema.safeParse(arg).success && !takesValue(argv[index - 1]);
  const kids = argv.filter(isKid);
  if (kids.length === 0 || argv.includes('--')) return [...argv];
  return [...argv.filter((arg, index) => !isKid(arg, index)), '--', ...kids];
}

function isCommand(name: string | undefined): name is Command {
  return name !== undefined && Object.hasOwn(COMMANDS, name);
}

function requestFrom(values: { [name in OptionName]?: string | boolean }, positionals: string[]): Request {
  const [command, kidArgument, ...extra] = positionals;
  if (!command) throw new UsageError(`Name a command: ${Object.keys(COMMANDS).join(', ')}.`);
  if (!isCommand(command)) throw new UsageError(`Unknown command '${command}'.`);
  const spec = COMMANDS[command];
  const misplaced = (Object.keys(values) as OptionName[]).filter((name) => !spec.options.includes(name));
  if (misplaced.length) throw new UsageError(`'${command}' does not take --${misplaced.join(', --')}.`);
  if (extra.length || (!spec.kid && kidArgument !== undefined)) throw new UsageError(`Unexpected argument '${extra[0] ?? kidArgument}'.`);
  return {
    command,
    scope: scopeFrom(values.scope as string | undefined),
    kid: spec.kid ? kidFrom(kidArgument) : '',
    reason: command === 'revoke' ? reasonFrom(values.reason as string | undefined) : '',
    json: values.json === true,
  };
}

function scopeFrom(value: string | undefined): DelegationScope {
  if (value === undefined) return SCOPES.payment.scope;
  if (!Object.hasOwn(SCOPES, value)) throw new UsageError(`--scope takes ${Object.keys(SCOPES).join(' or ')}, got '${value}'.`);
  return SCOPES[value as ScopeName].scope;
}

function kidFrom(argument: string | undefined): string {
  if (argument === undefined) throw new UsageError("Name a delegated key by its kid: 'list' shows them.");
  if (!jwkThumbprintSchema.safeParse(argument).success) {
    throw new UsageError(`'${argument}' is not a delegated key's kid: those are RFC 7638 thumbprints, 43 base64url characters.`);
  }
  return argument;
}

function reasonFrom(value: string | undefined): string {
  const reason = value?.trim();
  // The reason is the audit trail's only answer to "why": a revocation without one is refused.
  if (!reason) throw new UsageError('Say why: --reason "<text>" (kept with the delegation for audit).');
  return reason;
}

async function list({ registry, scope, io, json, now }: Context): Promise<number> {
  const seconds = Math.floor(now.getTime() / 1000);
  const [live, revokedKids] = await Promise.all([registry.live(scope, seconds), registry.revokedKids(scope)]);
  // The live listing is a copy made at registration: when and why a key was revoked is on the delegation itself.
  const delegations = await Promise.all(live.map(async (listed) => (revokedKids.has(listed.kid) ? ((await registry.get(scope, listed.kid)) ?? listed) : listed)));
  const views = delegations.map((delegation) => viewOf(delegation, revokedKids, now));
  print(io, json, views, () => listText(views, scope));
  return EXIT.ok;
}

async function show({ registry, scope, kid, io, json, now }: Context): Promise<number> {
  const [delegation, revokedKids] = await Promise.all([registry.get(scope, kid), registry.revokedKids(scope)]);
  if (!delegation) throw await unknownKid(registry, scope, kid);
  const view = viewOf(delegation, revokedKids, now);
  print(io, json, { ...view, delegation: delegation.delegation }, () => showText(view, delegation.delegation));
  return EXIT.ok;
}

async function revoke({ registry, scope, kid, reason, io, json, now }: Context): Promise<number> {
  const revoked = await registry.revoke(scope, kid, reason, now);
  if (!revoked) throw await unknownKid(registry, scope, kid);
  // The registry keeps the first revocation (if_not_exists): another time or reason means someone was first.
  const alreadyRevoked = revoked.revokedAt !== now.toISOString() || revoked.revocationReason !== reason;
  const view = viewOf(revoked, new Set([kid]), now);
  print(io, json, { ...view, alreadyRevoked }, () => revokeText(view, alreadyRevoked));
  return EXIT.ok;
}

/** Refused, with a pointer to the other scope when the kid is one of its keys (an easy slip: both kinds look alike). */
async function unknownKid(registry: DelegationRegistry, scope: DelegationScope, kid: string): Promise<RefusedError> {
  const name = scopeNameOf(scope);
  const other: ScopeName = name === 'payment' ? 'verdict' : 'payment';
  // Only a hint: an operator whose role may read one scope only still gets the refusal (exit 1), not an AWS failure.
  const elsewhere = await registry.get(SCOPES[other].scope, kid).catch(() => undefined);
  const hint = elsewhere ? ` It is a ${other} delegation: run it with --scope ${other}.` : ` 'list --scope ${name}' shows the live ones.`;
  return new RefusedError(`No ${name} delegation has kid ${kid}.${hint}`);
}
