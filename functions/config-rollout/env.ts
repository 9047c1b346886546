import { awsCallTimeoutsEnvSchema } from '../../shared/adapters/aws/client-options.js';
import { observabilityEnvSchema } from '../../shared/observability/observability-env.js';
import * as z from '../../shared/zod.js';

/** `a, b,,c` → `['a', 'b', 'c']`; empty means no alarm is watched. */
const commaSeparatedNames = z.pipe(
  z._default(z.string(), ''),
  z.transform((value: string) => value.split(',').map((name) => name.trim()).filter(Boolean)),
);

/** The rollout driver's environment contract: invoked by a schedule, it advances rollouts of the config table. */
export const configRolloutEnvSchema = z.object({
  ...awsCallTimeoutsEnvSchema.shape,
  ...observabilityEnvSchema.shape,
  CONFIG_TABLE_NAME: z.string().check(z.minLength(1)),
  /** The CloudWatch alarms whose ALARM state stops a rollout and rolls it back (comma-separated; may be empty). */
  ROLLOUT_ALARM_NAMES: commaSeparatedNames,
  /**
   * The shortest bake a stage gets, whatever the rollout asked for: the watched alarms need
   * 10 to 15 minutes to fire, and a stage that bakes for less could finish before any could.
   * The local stack lowers it so that its examples run in seconds.
   */
  ROLLOUT_MIN_BAKE_SECONDS: z._default(z.coerce.number().check(z.int(), z.minimum(0)), 900),
});

export type ConfigRolloutEnv = z.output<typeof configRolloutEnvSchema>;
