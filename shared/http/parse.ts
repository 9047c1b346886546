import type * as z from '../zod.js';
import { ValidationError, zodIssuesToValidationIssues } from '../errors.js';

/**
 * Validates caller input; every problem is listed in the 400's `errors` and summed up in
 * `detail`. `root` is the path reported for a problem with the whole value (e.g. a header name).
 */
export function parseInput<S extends z.ZodMiniType>(schema: S, value: unknown, what: string, root?: string): z.infer<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issues = zodIssuesToValidationIssues(result.error.issues, root);
  const summary = issues.map((issue) => `${issue.path} ${issue.message}`).join('; ');
  throw new ValidationError(`The ${what} is invalid: ${summary}.`, issues);
}
