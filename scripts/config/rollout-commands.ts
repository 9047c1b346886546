import { CloudWatchClient, SetAlarmStateCommand, type StateValue } from '@aws-sdk/client-cloudwatch';
import type { DynamoDbRolloutStore } from '../../shared/adapters/dynamodb-rollout-store.js';
import { type LayerId, layerName } from '../../shared/domain/config/layers.js';
import { InvalidRolloutStagesError, parseBakeTime, parseRolloutStages, type Rollout } from '../../shared/domain/config/rollout.js';
import { type CliIo, EXIT, print, RefusedError, UsageError } from '../cli-kit.js';
import { table } from './output.js';
import { LOCAL_REGION } from './target.js';

export interface RolloutCommandInput {
  rollouts: DynamoDbRolloutStore;
  document: unknown;
  stages: string | undefined;
  bake: string | undefined;
  author: string;
  message: string | undefined;
  io: CliIo;
  json: boolean;
}

/** `rollout <layer> --file f --stages "JP; DE,FR; *" --bake 10m`: the new version, exposed to the first stage now. */
export async function startRolloutCommand(layer: LayerId, input: RolloutCommandInput): Promise<number> {
  if (input.stages === undefined) throw new UsageError('Give the stages with --stages, e.g. --stages "JP; DE,FR; *" (";" between stages, "*" = every remaining country).');
  if (input.bake === undefined) throw new UsageError('Give the bake time per stage with --bake, e.g. --bake 10m (ms, s, m or h).');
  const bakeMs = parseBakeTime(input.bake);
  if (bakeMs === undefined) throw new UsageError(`--bake takes a duration such as 30s, 10m or 2h, got '${input.bake}'.`);
  let stages: Rollout['stages'];
  try {
    stages = parseRolloutStages(layer, input.stages);
  } catch (error) {
    if (error instanceof InvalidRolloutStagesError) throw new RefusedError(`${error.message}; nothing was written.`);
    throw error;
  }
  const rollout = await input.rollouts.start({ layer, document: input.document, stages, bakeMs, author: input.author, ...(input.message ? { message: input.message } : {}) });
  print(input.io, input.json, rollout, () =>
    `Rollout ${rollout.id} started: ${layerName(layer)} version ${rollout.toVersion} reaches ${describeStage(rollout.stages[0] ?? [])} now (stage 1 of ${rollout.stages.length}); ` +
    `every other country stays on version ${rollout.fromVersion}. Each stage bakes ${input.bake}; a watched alarm rolls it back.`,
  );
  return EXIT.ok;
}

/** What `history` adds under the versions: the latest rollout of the layer, stage by stage. */
export function rolloutLines(rollout: Rollout, currentVersion: number | undefined): string {
  const rows = rollout.stages.map((countries, index) => {
    const entry = rollout.log[index];
    // The first stage is exposed at once; its bake starts at the driver's next run (the driver's clock times stages).
    const baking = entry?.startedAt === undefined ? 'exposed, bake starts at the driver\'s next run' : 'baking';
    const status = entry ? (entry.stoppedBecause ?? (rollout.state === 'rolling' ? baking : '')) : rollout.state === 'rolling' ? 'waiting' : 'never started';
    return [`${index + 1}/${rollout.stages.length}`, describeStage(countries), entry ? (entry.startedAt ?? '-') : '', entry?.finishedAt ?? '', status];
  });
  const state = { rolling: 'rolling', completing: `completing: version ${rollout.toVersion} is being made current`, done: `done: version ${rollout.toVersion} is current`, 'rolled-back': rolledBack(rollout, currentVersion) }[rollout.state];
  return `\nRollout ${rollout.id} from version ${rollout.fromVersion} by ${rollout.startedBy}: ${state}\n${table([['  STAGE', 'COUNTRIES', 'STARTED', 'FINISHED', 'STOPPED BECAUSE'], ...rows.map(([first, ...rest]) => [`  ${first}`, ...rest] as string[])])}`;
}

/** A rollout stopped by a put or rollback made meanwhile leaves every country on that write's version, not its own `fromVersion`. */
function rolledBack(rollout: Rollout, currentVersion: number | undefined): string {
  if (currentVersion === rollout.fromVersion) return `rolled back: every country is on version ${rollout.fromVersion}`;
  return `stopped (${rollout.stoppedBecause ?? 'rolled back'}): every country is on the current version${currentVersion === undefined ? '' : `, ${currentVersion}`}`;
}

function describeStage(countries: readonly string[]): string {
  return countries.length > 8 ? `${countries.slice(0, 8).join(',')},… (${countries.length} countries)` : countries.join(',');
}

const ALARM_STATES: readonly StateValue[] = ['OK', 'ALARM', 'INSUFFICIENT_DATA'];

/**
 * `alarm <name> <ALARM|OK>`: sets a CloudWatch alarm's state, as `aws cloudwatch set-alarm-state`
 * does. Meant for the local stack (--local, its CloudWatch endpoint), where it is how a rollout's
 * watched alarm is made to fire; on AWS the alarm returns to its real state at its next evaluation.
 */
export async function setAlarmCommand(args: readonly string[], options: { endpoint: string | undefined; io: CliIo; json: boolean }): Promise<number> {
  const [name, state, ...extra] = args;
  if (!name || !state || extra.length > 0) throw new UsageError('Usage: alarm <name> <ALARM|OK|INSUFFICIENT_DATA> [--local].');
  if (!ALARM_STATES.includes(state as StateValue)) throw new UsageError(`The state is one of ${ALARM_STATES.join(', ')}, got '${state}'.`);
  const { env } = options.io;
  const client = new CloudWatchClient({
    ...(options.endpoint ? { endpoint: options.endpoint, region: env.AWS_REGION || LOCAL_REGION } : {}),
    ...(options.endpoint && !(env.AWS_ACCESS_KEY_ID || env.AWS_PROFILE) ? { credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } : {}),
  });
  try {
    await client.send(new SetAlarmStateCommand({ AlarmName: name, StateValue: state as StateValue, StateReason: `set by npm run config -- alarm (${options.io.env.CONFIG_AUTHOR ?? 'operator'})` }));
  } finally {
    client.destroy();
  }
  print(options.io, options.json, { alarm: name, state }, () => `Alarm ${name} is now ${state}.`);
  return EXIT.ok;
}
