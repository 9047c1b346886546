import { SubscriptionProtocol } from 'aws-cdk-lib/aws-sns';
import * as z from '../../shared/zod.js';

/** Who hears the alarms: one SNS subscription of the alarm topic. */
export interface AlarmSubscription {
  protocol: SubscriptionProtocol;
  endpoint: string;
}

const FORMS = 'email:<address>, https://<url>, sms:<+E.164 number>, sqs:<queue ARN> or lambda:<function ARN>';

// Standard queues only: SNS delivers to a FIFO queue only from a FIFO topic.
const QUEUE_ARN = /^arn:aws[a-z-]*:sqs:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,80}$/;
const FUNCTION_ARN = /^arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:[A-Za-z0-9_-]{1,64}(:[A-Za-z0-9_$-]{1,128})?$/;
const E164 = /^\+[1-9]\d{6,14}$/;
const emailAddress = z.email();
// Plain http would carry alarm details in clear text.
const httpsUrl = z.url({ protocol: /^https$/ });

/**
 * One context entry, `<protocol>:<endpoint>` (an https URL is its own protocol), parsed into a
 * subscription or refused with the forms it may take.
 */
function parseEntry(entry: string): AlarmSubscription | string {
  if (entry.startsWith('https://')) {
    return httpsUrl.safeParse(entry).success ? { protocol: SubscriptionProtocol.HTTPS, endpoint: entry } : `${entry}: not a valid https URL`;
  }
  const separator = entry.indexOf(':');
  const kind = separator < 0 ? entry : entry.slice(0, separator);
  const endpoint = entry.slice(separator + 1);
  switch (kind) {
    case 'email':
      return emailAddress.safeParse(endpoint).success ? { protocol: SubscriptionProtocol.EMAIL, endpoint } : `${entry}: not an email address`;
    case 'sms':
      return E164.test(endpoint) ? { protocol: SubscriptionProtocol.SMS, endpoint } : `${entry}: not a phone number in E.164 form (+ and 7-15 digits)`;
    case 'sqs':
      return QUEUE_ARN.test(endpoint) ? { protocol: SubscriptionProtocol.SQS, endpoint } : `${entry}: not the ARN of a standard SQS queue`;
    case 'lambda':
      return FUNCTION_ARN.test(endpoint) ? { protocol: SubscriptionProtocol.LAMBDA, endpoint } : `${entry}: not the ARN of a Lambda function`;
    default:
      return `'${entry}' is not a subscription: use ${FORMS}`;
  }
}

/** A list of context entries, each a subscription; an entry named twice is refused. */
export const alarmSubscriptionsSchema = z
  .array(
    z.pipe(
      z.string(),
      z.transform((entry, context) => {
        const parsed = parseEntry(entry.trim());
        if (typeof parsed !== 'string') return parsed;
        context.issues.push({ code: 'custom', message: parsed, input: entry });
        return z.NEVER;
      }),
    ),
  )
  .check(
    z.refine(
      (subscriptions) => new Set(subscriptions.map(subscriptionKey)).size === subscriptions.length,
      'each subscription may be named once',
    ),
  );

/** Protocol and endpoint: what makes one subscription different from another. */
export function subscriptionKey(subscription: AlarmSubscription): string {
  return `${subscription.protocol}:${subscription.endpoint}`;
}
