import { awsCallTimeoutsEnvSchema } from '../../shared/adapters/aws/client-options.js';
import { observabilityEnvSchema } from '../../shared/observability/observability-env.js';
import * as z from '../../shared/zod.js';

const wholeSeconds = z.pipe(z.string().check(z.regex(/^\d{1,9}$/, 'must be a whole number of seconds')), z.transform(Number));
const seconds = (fallback: number) => z._default(wholeSeconds, fallback);

/** The config function's environment contract. */
export const configEnvSchema = z.object({
  ...awsCallTimeoutsEnvSchema.shape,
  ...observabilityEnvSchema.shape,
  CONFIG_TABLE_NAME: z.string().check(z.minLength(1)),
  /**
   * The value CloudFront adds as `x-origin-verify`. Only requests carrying it have their
   * CloudFront-Viewer-Country header trusted; anyone can send that header straight to the API.
   */
  VIEWER_COUNTRY_ORIGIN_SECRET: z.string().check(z.minLength(16, 'must be at least 16 characters: it is what proves a request came through CloudFront')),
  /** How long a container keeps what it read before reading again; 0 reads DynamoDB on every request. */
  CONFIG_CACHE_TTL_SECONDS: seconds(30),
  /** Cache-Control for browsers and CloudFront: fresh for a minute, ... */
  CONFIG_MAX_AGE_SECONDS: seconds(60),
  /** ... then served while refreshed in the background for five more minutes, ... */
  CONFIG_STALE_WHILE_REVALIDATE_SECONDS: seconds(300),
  /** ... and for a day if the origin fails: old configuration is better than none. */
  CONFIG_STALE_IF_ERROR_SECONDS: seconds(86_400),
});

export type ConfigEnv = z.output<typeof configEnvSchema>;
