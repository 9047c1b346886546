import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { IDEMPOTENT_REPLAY_LIFETIME_HOURS } from '../shared/domain/settlement/idempotency.js';
import { MAX_DELEGATION_LIFETIME_SECONDS, MIN_DELEGATION_LIFETIME_SECONDS, SIGNING_MODES, type SigningMode } from '../shared/domain/delegation/delegation.js';
import { CALLER_JWT_CLAIMS } from '../shared/domain/merchants/caller-claims.js';
import * as z from '../shared/zod.js';
import { alarmSubscriptionsSchema, type AlarmSubscription } from './constructs/alarm-subscriptions.js';
import { deployedPaymentKeys, GENERATION_NAME, MAX_TRUSTED_GENERATIONS } from './payment-key-record.js';

/**
 * The deployment's settings, read once from CDK context (`cdk.json` or `-c key=value`) and
 * checked before any construct is built, so a bad value fails `cdk synth` with every problem
 * named instead of producing a template that misbehaves after deployment.
 */
export interface DeploymentContext {
  /** Trusted payment-signing key generations, current first, then at most one previous: from the payment-key record. */
  paymentKeyGenerations: string[];
  paymentIssuer: string;
  logRetention: RetentionDays;
  configCacheTtlSeconds: number;
  /** Cache-Control of config answers; a value not set keeps the config function's own default. */
  configCacheControl: { maxAgeSeconds?: number; staleWhileRevalidateSeconds?: number; staleIfErrorSeconds?: number };
  throttle: { rateLimit: number; burstLimit: number };
  settlementAuthorizer: SettlementAuthorizerSetting;
  /** Active X-Ray tracing on every function. */
  tracing: boolean;
  /**
   * Declare the SDK's endpoint variables (empty) on every function, so that `sam local invoke
   * --env-vars` may point them at the local stack: SAM overrides only declared variables.
   */
  samLocal: boolean;
  /** The payment processor settlement charges through. */
  paymentProcessor: PaymentProcessorName;
  /** The JWT claim that, with `iss`, identifies a caller in the merchant registry. */
  callerJwtClaim: string;
  /** How long a settlement container keeps a merchant it read; 0 reads the registry every time. */
  merchantCacheTtlSeconds: number;
  /** Who the alarm topic notifies; none leaves subscribing to operators. */
  alarmSubscriptions: AlarmSubscription[];
  /**
   * How settlement signs payment responses and verification its verdicts: one KMS Sign per token
   * (`kms`), or with an ephemeral key per container that the same KMS key certifies (`delegated`).
   * Verifiers read delegated keys from the registry in either mode.
   */
  signingMode: SigningMode;
  /** How long each delegation lives, in seconds (the context gives whole minutes). */
  delegationLifetimeSeconds: number;
  /** How long delegations are kept after they end: the payment-key record's receiptVerifiableHours. */
  delegationRetentionHours: number;
}

/** Mirrors the keys of PAYMENT_PROCESSORS in the settlement code; a test keeps them equal. */
export const PAYMENT_PROCESSOR_NAMES = ['sandbox'] as const;
export type PaymentProcessorName = (typeof PAYMENT_PROCESSOR_NAMES)[number];

export type SettlementAuthorizerSetting =
  | { kind: 'iam' }
  | { kind: 'jwt'; issuer: string; audience: string[] };

/** Context keys this app reads; everything else in the context belongs to CDK itself. */
export const CONTEXT_KEYS = [
  'paymentKeyRecord',
  'paymentKeyGenerations',
  'paymentIssuer',
  'logRetentionDays',
  'configCacheTtlSeconds',
  'configMaxAgeSeconds',
  'configStaleWhileRevalidateSeconds',
  'configStaleIfErrorSeconds',
  'throttleRateLimit',
  'throttleBurstLimit',
  'settlementAuthorizer',
  'jwtIssuer',
  'jwtAudience',
  'jwtCallerClaim',
  'tracing',
  'samLocal',
  'paymentProcessor',
  'merchantCacheTtlSeconds',
  'alarmSubscriptions',
  'signingMode',
  'delegationLifetimeMinutes',
] as const;

type RawContext = Partial<Record<(typeof CONTEXT_KEYS)[number], unknown>>;

// `-c key=value` on the command line always delivers strings; cdk.json and tests deliver JSON
// values. Lists therefore accept a JSON array, a JSON array in a string, or "a,b".
const stringList = z.pipe(
  z.transform((value: unknown) => {
    if (typeof value !== 'string') return value;
    const trimmed = value.trim();
    if (trimmed.startsWith('[')) return JSON.parse(trimmed) as unknown;
    return trimmed === '' ? [] : trimmed.split(',').map((item) => item.trim());
  }),
  z.array(z.string()),
);

const positiveInteger = z.coerce.number().check(z.int(), z.positive());
const wholeSeconds = z.coerce.number().check(z.int(), z.minimum(0));
const retentionDays = z.coerce
  .number()
  .check(z.refine((days) => Object.values(RetentionDays).includes(days), 'must be a retention CloudWatch Logs accepts (1, 3, 5, 7, 14, 30, 60, 90, ...)'));
const booleanFlag = z.union([z.boolean(), z.pipe(z.enum(['true', 'false']), z.transform((value) => value === 'true'))]);

const signingMode = z.enum(SIGNING_MODES, {
  error: `must be one of ${SIGNING_MODES.join(', ')}: kms signs every token with KMS, delegated signs with a per-container key KMS certifies`,
});

const MIN_DELEGATION_MINUTES = MIN_DELEGATION_LIFETIME_SECONDS / 60;
const MAX_DELEGATION_MINUTES = MAX_DELEGATION_LIFETIME_SECONDS / 60;
const delegationMinutesMessage =
  `must be a whole number of minutes from ${MIN_DELEGATION_MINUTES} to ${MAX_DELEGATION_MINUTES}: ` +
  `at most ${MAX_DELEGATION_MINUTES}, the longest a stolen ephemeral key may sign; at least ${MIN_DELEGATION_MINUTES}, or every container calls KMS Sign that often`;
const delegationMinutes = z.coerce
  .number({ error: delegationMinutesMessage })
  .check(z.refine((minutes) => Number.isInteger(minutes) && minutes >= MIN_DELEGATION_MINUTES && minutes <= MAX_DELEGATION_MINUTES, delegationMinutesMessage));

const callerClaim = z.enum(CALLER_JWT_CLAIMS, {
  error: `must be one of ${CALLER_JWT_CLAIMS.join(', ')}: a claim only the identity provider sets and that names one caller (not scope, groups or email)`,
});

const generations = stringList.check(
  z.refine((list) => list.length > 0, 'must name at least the current generation'),
  z.refine((list) => list.every((gen) => GENERATION_NAME.test(gen)), 'generations are 1-32 letters or digits (they become logical ids and alias names)'),
  z.refine((list) => new Set(list).size === list.length, 'generations must be unique'),
  z.refine(
    (list) => list.length <= MAX_TRUSTED_GENERATIONS,
    `at most ${MAX_TRUSTED_GENERATIONS} generations may be trusted (current, previous): drop the oldest to retire it`,
  ),
);

const contextSchema = z
  .object({
    // The record (deploy/payment-keys.json unless this names another file) decides; the list, if
    // given, must agree with it: a deploy that forgets the list can no longer fall back to ['1'].
    paymentKeyRecord: z.optional(z.unknown()),
    paymentKeyGenerations: z.optional(generations),
    paymentIssuer: z._default(z.string().check(z.minLength(1)), 'signed-pay'),
    logRetentionDays: z._default(retentionDays, RetentionDays.ONE_MONTH),
    // 0 is valid: the config function then reads DynamoDB on every request.
    configCacheTtlSeconds: z._default(wholeSeconds, 30),
    configMaxAgeSeconds: z.optional(wholeSeconds),
    configStaleWhileRevalidateSeconds: z.optional(wholeSeconds),
    configStaleIfErrorSeconds: z.optional(wholeSeconds),
    throttleRateLimit: z._default(positiveInteger, 50),
    throttleBurstLimit: z._default(positiveInteger, 100),
    settlementAuthorizer: z._default(z.enum(['iam', 'jwt']), 'iam'),
    jwtIssuer: z.optional(z.url({ protocol: /^https$/ })),
    jwtAudience: z.optional(stringList),
    jwtCallerClaim: z._default(callerClaim, 'sub'),
    tracing: z._default(booleanFlag, false),
    samLocal: z._default(booleanFlag, false),
    paymentProcessor: z._default(z.enum(PAYMENT_PROCESSOR_NAMES), 'sandbox'),
    // 0 is valid: settlement then reads the registry on every request.
    merchantCacheTtlSeconds: z._default(wholeSeconds, 30),
    alarmSubscriptions: z._default(z.pipe(stringList, alarmSubscriptionsSchema), []),
    signingMode: z._default(signingMode, 'kms'),
    delegationLifetimeMinutes: z._default(delegationMinutes, MAX_DELEGATION_MINUTES),
  })
  .check(
    z.superRefine((context, issues) => {
      if (context.settlementAuthorizer !== 'jwt') return;
      if (!context.jwtIssuer) {
        issues.addIssue({ code: 'custom', path: ['jwtIssuer'], message: "is required when settlementAuthorizer is 'jwt' (the https issuer URL of your identity provider)" });
      }
      if (!context.jwtAudience?.length) {
        issues.addIssue({ code: 'custom', path: ['jwtAudience'], message: "is required when settlementAuthorizer is 'jwt' (one or more audiences the tokens must carry)" });
      }
    }),
  );

/** Reads and checks the app's context; throws one error naming every invalid key. */
export function parseDeploymentContext(read: (key: string) => unknown, now: () => Date = () => new Date()): DeploymentContext {
  const raw: RawContext = Object.fromEntries(CONTEXT_KEYS.map((key) => [key, read(key)]).filter(([, value]) => value !== undefined));
  let result;
  try {
    result = contextSchema.safeParse(raw);
  } catch (error) {
    // JSON.parse inside stringList's transform throws instead of reporting an issue.
    throw new Error(`Invalid CDK context: ${(error as Error).message}`);
  }
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new Error(`Invalid CDK context: ${problems.join('; ')}`);
  }
  const context = result.data;
  const paymentKeys = deployedPaymentKeys(context.paymentKeyRecord, context.paymentKeyGenerations, now());
  return {
    paymentKeyGenerations: paymentKeys.generations,
    paymentIssuer: context.paymentIssuer,
    logRetention: context.logRetentionDays as RetentionDays,
    configCacheTtlSeconds: context.configCacheTtlSeconds,
    configCacheControl: {
      maxAgeSeconds: context.configMaxAgeSeconds,
      staleWhileRevalidateSeconds: context.configStaleWhileRevalidateSeconds,
      staleIfErrorSeconds: context.configStaleIfErrorSeconds,
    },
    throttle: { rateLimit: context.throttleRateLimit, burstLimit: context.throttleBurstLimit },
    settlementAuthorizer: authorizerSettingOf(context),
    tracing: context.tracing,
    samLocal: context.samLocal,
    paymentProcessor: context.paymentProcessor,
    callerJwtClaim: context.jwtCallerClaim,
    merchantCacheTtlSeconds: context.merchantCacheTtlSeconds,
    alarmSubscriptions: context.alarmSubscriptions,
    signingMode: context.signingMode,
    delegationLifetimeSeconds: context.delegationLifetimeMinutes * 60,
    // Delegations carry the KMS signatures that make receipts of delegated keys checkable: kept as long
    // as receipts are, and at least as long as settlement replays a receipt (idempotency.ts).
    delegationRetentionHours: Math.max(paymentKeys.receiptVerifiableHours, IDEMPOTENT_REPLAY_LIFETIME_HOURS),
  };
}

function authorizerSettingOf(context: z.infer<typeof contextSchema>): SettlementAuthorizerSetting {
  if (context.settlementAuthorizer === 'iam') return { kind: 'iam' };
  // The schema has already refused 'jwt' without both; this narrows the types.
  if (!context.jwtIssuer || !context.jwtAudience?.length) throw new Error('Invalid CDK context: jwtIssuer and jwtAudience are required');
  return { kind: 'jwt', issuer: context.jwtIssuer, audience: context.jwtAudience };
}
