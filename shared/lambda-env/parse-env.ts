import { z } from 'zod';
import { isKmsKeyArn } from '../adapters/kms-key-id.js';

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

/** A KMS key ARN, as CDK hands it to a function. */
export const kmsKeyArnSchema = z.string().refine(isKmsKeyArn, 'must be a KMS key ARN');

/** A comma-separated list of KMS key ARNs, current key first: the trust set for payment responses. */
export const kmsKeyArnListSchema = z
  .string()
  .transform((value) => value.split(',').map((arn) => arn.trim()).filter(Boolean))
  .pipe(z.array(kmsKeyArnSchema).min(1));

/** The variable names of a function's environment contract: what infra and the local stack may set. */
export type EnvName<S extends z.ZodObject> = Extract<keyof z.input<S>, string>;

/** The variables a function cannot start without (no default, not optional): infra must set every one. */
export function requiredEnvNames(schema: z.ZodObject): string[] {
  return Object.entries(schema.shape)
    .filter(([, field]) => !(field as z.ZodType).safeParse(undefined).success)
    .map(([name]) => name);
}
