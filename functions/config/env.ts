import { awsCallTimeoutsEnvSchema } from '../../shared/adapters/aws/client-options.js';
import { CONFIG_SIGNATURE_LIFETIME_BOUNDS } from '../../shared/domain/config/config-signature.js';
import { DEFAULT_CONFIG_SIGNATURE_LIFETIME_SECONDS } from '../../shared/domain/config/signed-config.js';
import { kmsKeyArnSchema } from '../../shared/lambda-env/parse-env.js';
import { observabilityEnvSchema } from '../../shared/observability/observability-env.js';
import * as z from '../../shared/zod.js';

const wholeSeconds = z.pipe(z.string().check(z.regex(/^\d{1,9}$/, 'must be a whole number of seconds')), z.transform(Number));
const seconds = (fallback: number) => z._default(wholeSeconds, fallback);
const { minSeconds, maxSeconds } = CONFIG_SIGNATURE_LIFETIME_BOUNDS;

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
  /** ... and for a day if the origin fails: old configuration is better than none. (All three end with the signature's `exp`.) */
  CONFIG_STALE_IF_ERROR_SECONDS: seconds(86_400),
  /** The key that signs answers (typ client-config+jwt): neither the payment nor the verdict key. */
  CONFIG_SIGNING_KEY_ARN: kmsKeyArnSchema,
  /** The `iss` of signed answers: the deployment's issuer, as on payment responses and verdicts. */
  PAYMENT_ISSUER: z.string().check(z.minLength(1)),
  /** How long a signed answer stays valid; a container renews its signature once half of it has passed. */
  CONFIG_SIGNATURE_LIFETIME_SECONDS: z._default(
    wholeSeconds.check(z.refine((value) => value >= minSeconds && value <= maxSeconds, `must be between ${minSeconds} and ${maxSeconds} seconds`)),
    DEFAULT_CONFIG_SIGNATURE_LIFETIME_SECONDS,
  ),
});

export type ConfigEnv = z.output<typeof configEnvSchema>;
