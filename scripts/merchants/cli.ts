import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { JWT_ISSUER_KEY_FILE, jwtIssuerFromKeyFile, LOCAL_JWT_ISSUER } from '../../local/jwt-issuer.js';
import { DEV_TOKEN_LIFETIME_SECONDS } from '../../local/seed-merchants.js';
import { LOCAL_TABLES } from '../../local/tables.js';
import { DynamoDbMerchantRegistry, MerchantRegistryConflictError } from '../../shared/adapters/dynamodb-merchant-registry.js';
import { merchantIdSchema } from '../../shared/domain/identifiers.js';
import { parseCallerId } from '../../shared/domain/merchants/caller-identity.js';
import { type Merchant, MERCHANT_MODES, type MerchantMode } from '../../shared/domain/merchants/merchant.js';
import { table } from '../config/output.js';
import { readLocalEndpoints, resolveTarget, type Target, TargetError } from '../config/target.js';
import { type CliIo, EXIT, parseCommandLine as parseArguments, print, RefusedError, reportFailure as reportCliFailure, UsageError } from '../cli-kit.js';
import { USAGE } from './usage.js';

export { EXIT };

const OPTIONS = {
  table: { type: 'string' },
  local: { type: 'boolean' },
  mode: { type: 'string' },
  caller: { type: 'string', multiple: true },
  days: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

type OptionName = keyof typeof OPTIONS;
interface Options {
  table?: string;
  local?: boolean;
  mode?: string;
  caller?: string[];
  days?: string;
  json?: boolean;
  help?: boolean;
}

const CONNECTION: OptionName[] = ['table', 'local', 'json'];
const COMMANDS: Record<string, { merchant: boolean; options: OptionName[] }> = {
  list: { merchant: false, options: CONNECTION },
  get: { merchant: true, options: CONNECTION },
  add: { merchant: true, options: [...CONNECTION, 'mode', 'caller'] },
  'add-caller': { merchant: true, options: [...CONNECTION, 'caller'] },
  'remove-caller': { merchant: true, options: [...CONNECTION, 'caller'] },
  suspend: { merchant: true, options: CONNECTION },
  resume: { merchant: true, options: CONNECTION },
  token: { merchant: true, options: [...CONNECTION, 'days'] },
};
const MERCHANT_TABLE = { variable: 'MERCHANT_TABLE_NAME', localName: LOCAL_TABLES.MERCHANT_TABLE_NAME.TableName };
const LOCAL_CALLER_PREFIX = `jwt:${LOCAL_JWT_ISSUER}|`;

/** What the command line asks for, checked before anything connects. */
interface Request {
  merchantId: string;
  /** add only */
  mode: MerchantMode | undefined;
  /** add, add-caller and remove-caller only */
  callers: string[];
  days: number;
  json: boolean;
}

interface Context extends Request {
  registry: DynamoDbMerchantRegistry;
  io: CliIo;
  dataDir: string | undefined;
}

/** `npm run merchants -- <command>`: returns the exit code. */
export async function runMerchantsCli(argv: readonly string[], io: CliIo): Promise<number> {
  let target: Target | undefined;
  try {
    const { values, positionals } = parseCommandLine(argv);
    if (values.help) {
      io.stdout(USAGE);
      return EXIT.ok;
    }
    const [command, merchantArgument, ...extra] = positionals;
    if (!command) throw new UsageError(`Name a command: ${Object.keys(COMMANDS).join(', ')}.`);
    const spec = COMMANDS[command];
    if (!spec) throw new UsageError(`Unknown command '${command}'.`);
    const misplaced = (Object.keys(values) as OptionName[]).filter((name) => !spec.options.includes(name));
    if (misplaced.length) throw new UsageError(`'${command}' does not take --${misplaced.join(', --')}.`);
    if (extra.length || (!spec.merchant && merchantArgument !== undefined)) throw new UsageError(`Unexpected argument '${extra[0] ?? merchantArgument}'.`);
    const request: Request = {
      merchantId: spec.merchant ? merchantIdFrom(merchantArgument) : '',
      mode: command === 'add' ? modeFrom(values.mode) : undefined,
      callers: command === 'add' || command === 'add-caller' || command === 'remove-caller' ? callersFrom(values) : [],
      days: daysFrom(values.days),
      json: values.json === true,
    };
    if (command === 'token' && !values.local) {
      throw new UsageError("'token' signs with the local issuer, whose key only the local stack has: add --local.");
    }

    const local = values.local ? await readLocalEndpoints(io) : undefined;
    target = resolveTarget({ table: values.table, localEndpoint: local?.dynamodb, env: io.env, tableChoice: MERCHANT_TABLE });
    const client = new DynamoDBClient(target.clientConfig);
    try {
      const registry = new DynamoDbMerchantRegistry(DynamoDBDocumentClient.from(client), target.tableName);
      const context: Context = { ...request, registry, io, dataDir: local?.dataDir };
      switch (command) {
        case 'list':
          return await list(context);
        case 'get':
          return await get(context);
        case 'add':
          return await add(context);
        case 'add-caller':
          return await addCaller(context);
        case 'remove-caller':
          return await removeCaller(context);
        case 'suspend':
        case 'resume':
          return await setStatus(context, command === 'suspend' ? 'suspended' : 'active');
        default:
          return await token(context);
      }
    } finally {
      client.destroy();
    }
  } catch (error) {
    return reportFailure(error, target, io);
  }
}

function parseCommandLine(argv: readonly string[]) {
  const { values, positionals } = parseArguments(argv, OPTIONS);
  return { values: values as Options, positionals };
}

function merchantIdFrom(argument: string | undefined): string {
  if (argument === undefined) throw new UsageError('Name a merchant, e.g. m_123.');
  const parsed = merchantIdSchema.safeParse(argument);
  if (!parsed.success) throw new UsageError(`'${argument}' is not a merchant id: it ${parsed.error.issues[0]?.message}.`);
  return parsed.data;
}

function modeFrom(value: string | undefined): MerchantMode {
  if (!MERCHANT_MODES.includes(value as MerchantMode)) throw new UsageError(`Say the merchant's mode: --mode ${MERCHANT_MODES.join(' or --mode ')}.`);
  return value as MerchantMode;
}

function callersFrom(values: Options): string[] {
  if (!values.caller?.length) throw new UsageError("Name at least one caller: --caller 'arn:aws:iam::<account>:role/<name>' or --caller 'jwt:<issuer>|<subject>'.");
  const callers = values.caller.map((text) => {
    const parsed = parseCallerId(text);
    if ('error' in parsed) throw new UsageError(parsed.error);
    return parsed.callerId;
  });
  return [...new Set(callers)];
}

function daysFrom(value: string | undefined): number {
  if (value === undefined) return DEV_TOKEN_LIFETIME_SECONDS / 86_400;
  if (!/^[1-9]\d{0,3}$/.test(value) || Number(value) > 3650) throw new UsageError(`--days takes a whole number from 1 to 3650, got '${value}'.`);
  return Number(value);
}

async function existing(registry: DynamoDbMerchantRegistry, merchantId: string): Promise<Merchant> {
  const merchant = await registry.get(merchantId);
  if (!merchant) throw new RefusedError(`Merchant ${merchantId} is not registered.`);
  return merchant;
}

function merchantText(merchant: Merchant): string {
  return table([
    [merchant.merchantId, ''],
    ['  mode', merchant.mode],
    ['  status', merchant.status],
    ...merchant.callers.map((caller, index) => [index === 0 ? '  callers' : '', caller]),
  ]);
}

async function list({ registry, io, json }: Context): Promise<number> {
  const merchants = await registry.list();
  print(io, json, merchants, () =>
    merchants.length === 0
      ? 'No merchant is registered.'
      : table([['MERCHANT', 'MODE', 'STATUS', 'CALLERS'], ...merchants.map((m) => [m.merchantId, m.mode, m.status, m.callers.join(' ')])]),
  );
  return EXIT.ok;
}

async function get({ registry, merchantId, io, json }: Context): Promise<number> {
  const merchant = await existing(registry, merchantId);
  print(io, json, merchant, () => merchantText(merchant));
  return EXIT.ok;
}

async function add({ registry, merchantId, mode, callers, io, json }: Context): Promise<number> {
  const merchant: Merchant = { merchantId, mode: mode!, status: 'active', callers };
  // Checked first so that a mistaken add claims no callers for a merchant that exists (the registry settles races).
  if (await registry.get(merchantId)) throw new RefusedError(`Merchant ${merchantId} exists already: see 'get ${merchantId}'; 'add-caller' adds callers.`);
  await registry.add(merchant);
  print(io, json, merchant, () => `Merchant ${merchantId} is registered, ${merchant.mode} mode, active.\n${merchantText(merchant)}`);
  return EXIT.ok;
}

/** Revokes callers at once (the request path checks the merchant's list), without suspending the merchant. */
async function removeCaller({ registry, merchantId, callers, io, json }: Context): Promise<number> {
  await existing(registry, merchantId);
  for (const callerId of callers) await registry.removeCaller(merchantId, callerId);
  const merchant = await existing(registry, merchantId);
  print(io, json, merchant, () => `${merchantId} now has ${merchant.callers.length} caller(s).\n${merchantText(merchant)}`);
  return EXIT.ok;
}

async function addCaller({ registry, merchantId, callers, io, json }: Context): Promise<number> {
  await existing(registry, merchantId);
  for (const callerId of callers) await registry.addCaller(merchantId, callerId);
  const merchant = await existing(registry, merchantId);
  print(io, json, merchant, () => `${merchantId} now has ${merchant.callers.length} caller(s).\n${merchantText(merchant)}`);
  return EXIT.ok;
}

async function setStatus({ registry, merchantId, io, json }: Context, status: Merchant['status']): Promise<number> {
  const merchant = await registry.setStatus(merchantId, status);
  print(io, json, merchant, () =>
    status === 'suspended'
      ? `${merchantId} is suspended: its callers are refused once the settlement function's merchant cache expires (MERCHANT_CACHE_TTL_SECONDS).`
      : `${merchantId} is active.`,
  );
  return EXIT.ok;
}

async function token({ registry, merchantId, days, io, json, dataDir }: Context): Promise<number> {
  const merchant = await existing(registry, merchantId);
  const caller = merchant.callers.find((callerId) => callerId.startsWith(LOCAL_CALLER_PREFIX));
  if (!caller) {
    throw new RefusedError(
      `${merchantId} has no caller of the local issuer, so no local token can act for it. Add one: ` +
        `npm run merchants -- add-caller ${merchantId} --caller '${LOCAL_CALLER_PREFIX}${merchantId}' --local`,
    );
  }
  const keyFile = join(dataDir!, JWT_ISSUER_KEY_FILE);
  let keyText: string;
  try {
    keyText = await io.readFile(keyFile);
  } catch {
    throw new TargetError(`No local issuer key at ${keyFile}: start the local stack with 'npm start'.`, EXIT.aws);
  }
  const issuer = await jwtIssuerFromKeyFile(keyText);
  const subject = caller.slice(LOCAL_CALLER_PREFIX.length);
  const expiresAt = new Date(Date.now() + days * 86_400_000).toISOString();
  const jwt = await issuer.issue(subject, { expiresInSeconds: days * 86_400 });
  if (merchant.status === 'suspended') io.stderr(`Note: ${merchantId} is suspended; settlements with this token are refused until it is resumed.`);
  print(io, json, { merchantId, caller, expiresAt, token: jwt }, () => jwt);
  return EXIT.ok;
}

function reportFailure(error: unknown, target: Target | undefined, io: CliIo): number {
  return reportCliFailure(error, {
    cli: 'merchants',
    tableVariable: 'MERCHANT_TABLE_NAME',
    target,
    io,
    refusal: (refused) => (refused instanceof MerchantRegistryConflictError ? `Refused: ${refused.message}` : undefined),
  });
}
