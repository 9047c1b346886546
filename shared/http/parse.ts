import type { z } from 'zod';
import { ValidationError, zodIssuesToValidationIssues } from '../errors.js';

/** Validates caller input; every problem is listed in the 400's `errors` and summed up in `detail`. */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown, what: string): z.infer<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issues = zodIssuesToValidationIssues(result.error.issues);
  const summary = issues.map((issue) => `${issue.path} ${issue.message}`).join('; ');
  throw new ValidationError(`The ${what} is invalid: ${summary}.`, issues);
}
