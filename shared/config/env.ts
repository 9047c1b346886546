import type { z } from 'zod';

/**
 * Reads a function's configuration from the environment once, at cold start. A missing or
 * malformed variable fails the container immediately with every problem named, instead of
 * surfacing as a confusing error on the first request.
 */
export function parseEnv<S extends z.ZodType>(schema: S, env: NodeJS.ProcessEnv = process.env): z.infer<S> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
  throw new Error(`Invalid function configuration: ${problems.join('; ')}`);
}
