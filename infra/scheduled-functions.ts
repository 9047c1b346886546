import { configRolloutEnvSchema } from '../functions/config-rollout/env.js';
import type * as z from '../shared/zod.js';

/**
 * Functions that no route reaches: EventBridge invokes them on a schedule. They are not in
 * shared/routes.ts (the route table), so neither API Gateway nor the local API serves them, and
 * their environment contracts live here rather than in the route-keyed functions/env-contracts.ts.
 */
export type ScheduledFunctionId = 'config-rollout';

export const SCHEDULED_FUNCTION_IDS: readonly ScheduledFunctionId[] = ['config-rollout'];

/** Each scheduled function's environment contract, as ENV_CONTRACTS has them for the routed ones. */
export const SCHEDULED_ENV_CONTRACTS = {
  'config-rollout': configRolloutEnvSchema,
} as const satisfies Record<ScheduledFunctionId, z.ZodMiniObject>;

export type ScheduledEnvContracts = typeof SCHEDULED_ENV_CONTRACTS;

/** Where a scheduled function's handler lives, relative to the repository root; it exports `handler`. */
export function scheduledHandlerEntryOf(functionId: ScheduledFunctionId): string {
  return `functions/${functionId}/handler.ts`;
}
