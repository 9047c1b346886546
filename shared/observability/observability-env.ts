import * as z from '../zod.js';
import { METRICS_NAMESPACE } from './metric-names.js';

/**
 * What every HTTP function reads for its metrics. Powertools' own variable: infra and the local
 * stack set it to METRICS_NAMESPACE, the namespace the alarms watch. A function started without
 * it (a test, a bench) gets the same, never Powertools' `default_namespace`.
 */
export const observabilityEnvSchema = z.object({
  POWERTOOLS_METRICS_NAMESPACE: z._default(z.string().check(z.minLength(1)), METRICS_NAMESPACE),
});

export type ObservabilityEnv = z.output<typeof observabilityEnvSchema>;
