import { isKmsKeyArn } from '../adapters/kms-key-id.js';
import * as z from '../zod.js';

/**
 * Reads a function's configuration from the environment once, at cold start. A missing or
 * malformed variable fails the container immediately with every problem named, instead of
 * surfacing as a confusing error on the first request.
 */
export function parseEnv<S extends z.ZodMiniType>(schema: S, env: NodeJS.ProcessEnv = process.env): z.infer<S> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
  throw new Error(`Invalid function configuration: ${problems.join('; ')}`);
}

/** A KMS key ARN, as CDK hands it to a function. */
export const kmsKeyArnSchema = z.string().check(z.refine(isKmsKeyArn, 'must be a KMS key ARN'));

/** A comma-separated list of KMS key ARNs, current key first: the trust set for payment responses. */
export const kmsKeyArnListSchema = z.pipe(
  z.pipe(z.string(), z.transform((value: string) => value.split(',').map((arn) => arn.trim()).filter(Boolean))),
  z.array(kmsKeyArnSchema).check(z.minLength(1)),
);

/** The variable names of a function's environment contract: what infra and the local stack may set. */
export type EnvName<S extends z.ZodMiniObject> = Extract<keyof z.input<S>, string>;

/** The variables a function cannot start without (no default, not optional): infra must set every one. */
export function requiredEnvNames(schema: z.ZodMiniObject): string[] {
  return Object.entries(schema.shape)
    .filter(([, field]) => !z.safeParse(field, undefined).success)
    .map(([name]) => name);
}
