import * as z from '../../zod.js';

/** A whole number above zero, read from a variable's string. */
const positiveInteger = z.coerce.number().check(z.int(), z.positive());

/**
 * How long one attempt of an AWS call may take. `requestTimeout` alone only logs a warning with
 * the installed @smithy/node-http-handler; `throwOnRequestTimeout` makes it fail the attempt, so
 * the SDK's own retries (AWS_MAX_ATTEMPTS, standard mode, 3 by default) can try again while the
 * request deadline (call-deadline.ts) bounds them all.
 */
export const awsCallTimeoutsEnvSchema = z.object({
  /** A TCP connection to KMS or DynamoDB in the same region takes milliseconds; a second is a fault. */
  AWS_CONNECTION_TIMEOUT_MS: z._default(positiveInteger, 1_000),
  /**
   * KMS Sign and DynamoDB item calls answer in tens of milliseconds; two seconds is a hang. Three
   * attempts of two seconds and their backoff fit the 10 s function timeout with room to answer.
   */
  AWS_REQUEST_TIMEOUT_MS: z._default(positiveInteger, 2_000),
  /** The SDK's own variable: attempts per call, retries included (standard mode's default is 3). */
  AWS_MAX_ATTEMPTS: z.optional(positiveInteger),
});

export type AwsCallTimeouts = z.infer<typeof awsCallTimeoutsEnvSchema>;

/** Options for `new KMSClient(...)` and `new DynamoDBClient(...)`: no endpoint, ever (AWS_ENDPOINT_URL_* say where). */
export function awsClientOptions(timeouts: AwsCallTimeouts) {
  return {
    ...(timeouts.AWS_MAX_ATTEMPTS === undefined ? {} : { maxAttempts: timeouts.AWS_MAX_ATTEMPTS }),
    requestHandler: {
      connectionTimeout: timeouts.AWS_CONNECTION_TIMEOUT_MS,
      requestTimeout: timeouts.AWS_REQUEST_TIMEOUT_MS,
      throwOnRequestTimeout: true,
    },
  };
}
