import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { CachedConfigLayers } from '../../shared/adapters/cached-config-layers.js';
import { DynamoDbConfigStore } from '../../shared/adapters/dynamodb-config-store.js';
import { DynamoDbRolloutStore, RolloutRefusedError } from '../../shared/adapters/dynamodb-rollout-store.js';
import { validateLayerDocument } from '../../shared/domain/config/config-document.js';
import type { ConfigStore } from '../../shared/domain/config/config-store.js';
import { ConfigVersionNotFoundError, InvalidConfigError } from '../../shared/domain/config/errors.js';
import { type LayerId, layerName, parseLayerName } from '../../shared/domain/config/layers.js';
import { AppError, type ValidationIssue } from '../../shared/errors.js';
import { layerFileOf } from './layer-file.js';
import { currentLayerJson, layerVersionJson, table } from './output.js';
import { readLocalEndpoints, resolveTarget, type Target } from './target.js';
import { type CliIo, EXIT, parseCommandLine as parseArguments, print, RefusedError, reportFailure as reportCliFailure, UsageError } from '../cli-kit.js';
import { lookUpConfig } from '../../shared/use-cases/look-up-config.js';
import { rolloutLines, setAlarmCommand, startRolloutCommand } from './rollout-commands.js';
import { USAGE } from './usage.js';

export interface ConfigCliIo extends CliIo {
  /** Who is writing, for the version's author: the user name unless --author or CONFIG_AUTHOR says. */
  userName(): string;
  /** Writes a file (get --out). */
  writeFile(path: string, text: string): Promise<void>;
}

export { EXIT };

const OPTIONS = {
  table: { type: 'string' },
  local: { type: 'boolean' },
  file: { type: 'string', short: 'f' },
  out: { type: 'string', short: 'o' },
  version: { type: 'string' },
  effective: { type: 'boolean' },
  limit: { type: 'string' },
  to: { type: 'string' },
  stages: { type: 'string' },
  bake: { type: 'string' },
  'expect-version': { type: 'string' },
  message: { type: 'string', short: 'm' },
  author: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

type OptionName = keyof typeof OPTIONS;
type Options = Partial<Record<OptionName, string | boolean>>;

const CONNECTION: OptionName[] = ['table', 'local', 'json'];
const COMMANDS: Record<string, { layer: boolean; options: OptionName[] }> = {
  list: { layer: false, options: CONNECTION },
  get: { layer: true, options: [...CONNECTION, 'version', 'effective', 'out'] },
  put: { layer: true, options: [...CONNECTION, 'file', 'expect-version', 'message', 'author'] },
  validate: { layer: true, options: ['file', 'json'] },
  history: { layer: true, options: [...CONNECTION, 'limit'] },
  rollback: { layer: true, options: [...CONNECTION, 'to', 'expect-version', 'message', 'author'] },
  rollout: { layer: true, options: [...CONNECTION, 'file', 'stages', 'bake', 'message', 'author'] },
  alarm: { layer: false, options: ['local', 'json'] },
};

/** `npm run config -- <command>`: returns the exit code. */
export async function runConfigCli(argv: readonly string[], io: ConfigCliIo): Promise<number> {
  let target: Target | undefined;
  try {
    const { values, positionals } = parseCommandLine(argv);
    if (values.help) {
      io.stdout(USAGE);
      return EXIT.ok;
    }
    const [command, layerArgument, ...extra] = positionals;
    if (!command) throw new UsageError('Name a command: list, get, put, validate, history, rollback, rollout or alarm.');
    const spec = COMMANDS[command];
    if (!spec) throw new UsageError(`Unknown command '${command}'.`);
    const misplaced = (Object.keys(values) as OptionName[]).filter((name) => !spec.options.includes(name));
    if (misplaced.length) throw new UsageError(`'${command}' does not take --${misplaced.join(', --')}.`);
    if (command === 'alarm') {
      const endpoint = values.local ? (await readLocalEndpoints(io)).cloudwatch : undefined;
      if (values.local && !endpoint) throw new UsageError('The running local stack names no CloudWatch endpoint: restart it with npm start.');
      return await setAlarmCommand(positionals.slice(1), { endpoint, io, json: values.json === true });
    }
    if (extra.length || (!spec.layer && layerArgument !== undefined)) throw new UsageError(`Unexpected argument '${extra[0] ?? layerArgument}'.`);
    const layer = spec.layer ? layerFrom(layerArgument) : undefined;

    if (command === 'validate') return await validate(layer!, values, io);

    target = resolveTarget({ table: string(values.table), localEndpoint: values.local ? (await readLocalEndpoints(io)).dynamodb : undefined, env: io.env });
    const client = new DynamoDBClient(target.clientConfig);
    try {
      const documentClient = DynamoDBDocumentClient.from(client);
      const store = new DynamoDbConfigStore(documentClient, target.tableName);
      const rollouts = new DynamoDbRolloutStore(documentClient, target.tableName, store);
      const context = { store, rollouts, values, io, json: values.json === true };
      switch (command) {
        case 'list':
          return await list(context);
        case 'get':
          return await get(layer!, context);
        case 'put':
          return await put(layer!, context);
        case 'history':
          return await history(layer!, context);
        case 'rollout':
          return await startRolloutCommand(layer!, {
            rollouts,
            document: layerFileOf(await readDocument(values, io), layer!, string(values.file)!).document,
            stages: string(values.stages),
            bake: string(values.bake),
            author: authorOf(values, io),
            message: string(values.message),
            io,
            json: context.json,
          });
        default:
          return await rollback(layer!, context);
      }
    } finally {
      client.destroy();
    }
  } catch (error) {
    return reportFailure(error, target, io);
  }
}

interface Context {
  store: ConfigStore;
  rollouts: DynamoDbRolloutStore;
  values: Options;
  io: ConfigCliIo;
  json: boolean;
}

function parseCommandLine(argv: readonly string[]) {
  const { values, positionals } = parseArguments(argv, OPTIONS);
  return { values: values as Options, positionals };
}

function layerFrom(argument: string | undefined): LayerId {
  if (argument === undefined) throw new UsageError('Name a layer: default, a group (EU, EUROZONE) or a country code (DE).');
  const layer = parseLayerName(argument);
  if (!layer) throw new UsageError(`'${argument}' is not a layer: use default, group:EU, group:EUROZONE or country:<ISO 3166-1 alpha-2 code>.`);
  return layer;
}

function string(value: string | boolean | undefined): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function positiveInteger(value: string | boolean | undefined, option: string): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !/^[1-9]\d{0,9}$/.test(value)) throw new UsageError(`--${option} takes a whole number from 1, got '${String(value)}'.`);
  return Number(value);
}

function expectedVersionOf(values: Options): number | null | undefined {
  const value = values['expect-version'];
  if (value === 'none') return null;
  return positiveInteger(value, 'expect-version');
}

function authorOf(values: Options, io: ConfigCliIo): string {
  return string(values.author) || io.env.CONFIG_AUTHOR || io.userName();
}

async function readDocument(values: Options, io: ConfigCliIo): Promise<unknown> {
  const path = string(values.file);
  if (!path) throw new UsageError('Give the document with --file <path> (or --file - for standard input).');
  let text: string;
  try {
    text = await io.readFile(path);
  } catch (error) {
    throw new RefusedError(`Cannot read ${path}: ${(error as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new RefusedError(`${path} is not valid JSON: ${(error as Error).message}`);
  }
}

async function validate(layer: LayerId, values: Options, io: ConfigCliIo): Promise<number> {
  const { document } = layerFileOf(await readDocument(values, io), layer, string(values.file)!);
  const result = validateLayerDocument(layer, document);
  if (!result.ok) throw new InvalidConfigError(layerName(layer), result.issues);
  print(io, values.json === true, { layer: layerName(layer), valid: true, document: result.document }, () =>
    `${layerName(layer)}: the document is valid. As it would be stored:\n${JSON.stringify(result.document, null, 2)}`,
  );
  return EXIT.ok;
}

async function list({ store, io, json }: Context): Promise<number> {
  const layers = await store.listCurrent();
  print(io, json, layers.map(currentLayerJson), () =>
    layers.length === 0
      ? 'No layer has a version yet.'
      : table([
          ['LAYER', 'VERSION', 'UPDATED', 'BY', 'HOW', 'MESSAGE'],
          ...layers.map((l) => [layerName(l.layer), String(l.version), l.updatedAt, l.updatedBy, l.action, l.message ?? '']),
        ]),
  );
  return EXIT.ok;
}

async function get(layer: LayerId, { store, values, io, json }: Context): Promise<number> {
  const version = positiveInteger(values.version, 'version');
  if (values.effective) {
    if (version !== undefined) throw new UsageError('--effective shows what is current; it does not take --version.');
    if (values.out !== undefined) throw new UsageError('--out writes a layer to edit and put back; what a country gets after layering cannot be put.');
    if (layer.kind === 'group') throw new UsageError('--effective is for a country (or default): a group is only part of what countries get.');
    const country = layer.kind === 'country' ? layer.country : null;
    // The service's own lookup, with no cache: what a new container would answer.
    const layers = new CachedConfigLayers(store, {
      ttlMs: 0,
      onInvalidLayer: (bad, issues) => io.stderr(`Warning: ${layerName(bad)} is stored invalid, as the service sees it:\n${issueLines(issues)}`),
    });
    const { resolution, merged } = await lookUpConfig({ layers }, country === null ? {} : { query: country });
    const effective = { country: resolution.country, version: merged.version, config: merged.config, explain: merged.explain };
    print(io, json, effective, () => JSON.stringify(effective, null, 2));
    return EXIT.ok;
  }
  if (version !== undefined) {
    // The file put takes back says which version it builds on; an older one would always be refused.
    if (values.out !== undefined) {
      throw new UsageError(`--out writes the current version, the one a put builds on. For version ${version}: 'rollback ${layerName(layer)} --to ${version}', or put its "document" as a file of its own.`);
    }
    const stored = await store.getVersion(layer, version);
    if (!stored) throw new ConfigVersionNotFoundError(layerName(layer), version);
    const current = await store.getCurrent(layer);
    return await printOrWrite(layer, layerVersionJson(stored, current?.version), { values, io, json });
  }
  const current = await store.getCurrent(layer);
  if (!current) {
    throw new RefusedError(`${layerName(layer)} has no version yet: it inherits everything. 'get ${layerName(layer)} --effective' shows what it gets.`);
  }
  return await printOrWrite(layer, currentLayerJson(current), { values, io, json });
}

/** `get` prints the layer, or with --out writes it to a file that `put --file` takes back. */
async function printOrWrite(layer: LayerId, output: { version: number }, { values, io, json }: Omit<Context, 'store' | 'rollouts'>): Promise<number> {
  const text = JSON.stringify(output, null, 2);
  const path = string(values.out);
  if (path === undefined) {
    print(io, json, output, () => text);
    return EXIT.ok;
  }
  try {
    await io.writeFile(path, `${text}\n`);
  } catch (error) {
    throw new RefusedError(`Cannot write ${path}: ${(error as Error).message}`);
  }
  const name = layerName(layer);
  // The put goes where the get came from: the same connection options.
  const connection = [values.local ? ' --local' : '', typeof values.table === 'string' ? ` --table ${values.table}` : ''].join('');
  print(io, json, { layer: name, version: output.version, file: path }, () =>
    `Wrote ${name} version ${output.version} to ${path}. Edit its "document", then: npm run config -- put ${name}${connection} --file ${path} (refused if ${name} changes meanwhile).`,
  );
  return EXIT.ok;
}

async function put(layer: LayerId, { store, values, io, json }: Context): Promise<number> {
  const { document, basedOnVersion } = layerFileOf(await readDocument(values, io), layer, string(values.file)!);
  const message = string(values.message);
  const current = await store.put(layer, document, {
    // A file from `get` carries the version it was read at; --expect-version still wins.
    expectedVersion: values['expect-version'] === undefined ? basedOnVersion : expectedVersionOf(values),
    author: authorOf(values, io),
    ...(message ? { message } : {}),
  });
  print(io, json, currentLayerJson(current), () => `${layerName(layer)} is now at version ${current.version}.`);
  return EXIT.ok;
}

async function history(layer: LayerId, { store, rollouts, values, io, json }: Context): Promise<number> {
  const limit = positiveInteger(values.limit, 'limit');
  const [versions, current, rollout] = await Promise.all([store.history(layer, limit === undefined ? {} : { limit }), store.getCurrent(layer), rollouts.get(layer)]);
  const versionsJson = versions.map((version) => layerVersionJson(version, current?.version));
  print(io, json, rollout ? { versions: versionsJson, rollout } : versionsJson, () => {
    if (versions.length === 0) return `${layerName(layer)} has no versions.`;
    const rows = versions.map((v) => [`${v.version === current?.version ? '*' : ' '} ${v.version}`, v.createdAt, v.createdBy, v.message ?? '']);
    const pointer = current
      ? `\n* current${current.action === 'rollback' ? `: rolled back by ${current.updatedBy} at ${current.updatedAt}${current.message ? ` (${current.message})` : ''}` : ''}`
      : '\nNo version is current.';
    const action = current?.action === 'rollout' ? `: ${current.message ?? 'a staged rollout completed'}` : '';
    return `${table([['  VERSION', 'CREATED', 'BY', 'MESSAGE'], ...rows])}${pointer}${action}${rollout ? `\n${rolloutLines(rollout, current?.version)}` : ''}`;
  });
  return EXIT.ok;
}

async function rollback(layer: LayerId, { store, values, io, json }: Context): Promise<number> {
  const to = positiveInteger(values.to, 'to');
  if (to === undefined) throw new UsageError('Say which version to go back to: --to <N> (see history).');
  const message = string(values.message);
  const current = await store.rollback(layer, to, {
    expectedVersion: expectedVersionOf(values),
    author: authorOf(values, io),
    ...(message ? { message } : {}),
  });
  print(io, json, currentLayerJson(current), () => `${layerName(layer)} is now at version ${current.version} again.`);
  return EXIT.ok;
}

function issueLines(issues: ValidationIssue[]): string {
  return issues.map((issue) => `  - ${issue.path}: ${issue.message}`).join('\n');
}

function reportFailure(error: unknown, target: Target | undefined, io: CliIo): number {
  return reportCliFailure(error, {
    cli: 'config',
    tableVariable: 'CONFIG_TABLE_NAME',
    target,
    io,
    refusal: (refused) => {
      if (refused instanceof InvalidConfigError) return `Refused: ${refused.layer} is invalid, nothing was written.\n${issueLines(refused.issues)}`;
      if (refused instanceof AppError) return `Refused: ${refused.detail}`;
      if (refused instanceof RolloutRefusedError) return `Refused: ${refused.message}; nothing was written.`;
      return undefined;
    },
  });
}
