import type { ValidationIssue } from '../../errors.js';
import * as z from '../../zod.js';
import { currencyCodeSchema as currencySchema } from '../money.js';
import type { LayerId } from './layers.js';

/**
 * Payment method names a client knows how to present, as the major acquirers name them.
 * Card networks (Visa, Cartes Bancaires, JCB, UnionPay, RuPay) are all `card`.
 * Discontinued schemes (giropay, Sofort) are left out on purpose.
 */
export const PAYMENT_METHODS = [
  'card',
  'apple_pay',
  'google_pay',
  'paypal',
  'klarna',
  'affirm',
  'afterpay_clearpay',
  'sepa_debit',
  'bacs_debit',
  'us_bank_account',
  'ideal',
  'bancontact',
  'eps',
  'p24',
  'blik',
  'twint',
  'mobilepay',
  'swish',
  'multibanco',
  'mb_way',
  'pix',
  'boleto',
  'upi',
  'netbanking',
  'alipay',
  'wechat_pay',
  'konbini',
  'paypay',
] as const;

export type PaymentMethod = (typeof PAYMENT_METHODS)[number];

/** What a client receives: every field is always present once the layers are merged. */
export interface CountryConfig {
  currency: string;
  /** A canonical BCP 47 language tag. */
  locale: string;
  paymentMethods: PaymentMethod[];
  features: Record<string, boolean>;
  legal: { termsUrl: string; privacyUrl: string };
}

/** What a group or country layer stores: any subset of the fields, merged over the layers below it. */
export interface LayerDocument {
  currency?: string;
  locale?: string;
  paymentMethods?: PaymentMethod[];
  features?: Record<string, boolean>;
  legal?: Partial<CountryConfig['legal']>;
}

const MAX_LOCALE_LENGTH = 35; // RFC 5646 §4.4.1: 35 characters hold every well-formed tag a client needs
const MAX_FEATURES = 100;
const MAX_URL_LENGTH = 2048;

// One message, not two: money.ts's schema also reports the format, which says nothing more here.

const localeSchema = z.pipe(
  z.string().check(z.maxLength(MAX_LOCALE_LENGTH, `must be at most ${MAX_LOCALE_LENGTH} characters`)),
  z.transform((value: string, context) => {
    let canonical: string | undefined;
    try {
      [canonical] = Intl.getCanonicalLocales(value);
    } catch {
      // RangeError: not a well-formed BCP 47 tag (e.g. 'en_US', 'english')
    }
    if (canonical === undefined || canonical === 'und' || canonical.startsWith('und-')) {
      context.issues.push({ code: 'custom', message: `is not a BCP 47 language tag with a language (such as de-DE)`, input: value });
      return z.NEVER;
    }
    // Stored and served in canonical form ('de-de' becomes 'de-DE'), so equal tags compare equal.
    return canonical;
  }),
);

const paymentMethodsSchema = z
  .array(z.enum(PAYMENT_METHODS, { error: `is not a known payment method (known: ${PAYMENT_METHODS.join(', ')})` }))
  .check(
    z.minLength(1, 'must list at least one payment method'),
    z.maxLength(PAYMENT_METHODS.length, 'lists too many payment methods'),
    z.refine((methods) => new Set(methods).size === methods.length, 'must not list a payment method twice'),
  );

const featuresSchema = z
  .record(
    z.string().check(z.regex(/^[a-z][A-Za-z0-9]{0,63}$/, 'feature names are camelCase: a lower-case letter, then letters and digits, at most 64')),
    z.boolean(),
  )
  .check(z.refine((features) => Object.keys(features).length <= MAX_FEATURES, `must have at most ${MAX_FEATURES} features`));

/**
 * An absolute https URL with a host and no credentials: what a stored layer's legal URL must be,
 * and so what every answer carries (config-response-schema.ts, the contract clients read).
 */
export const httpsUrlSchema = z
  .string()
  .check(
    z.maxLength(MAX_URL_LENGTH, `must be at most ${MAX_URL_LENGTH} characters`),
    z.refine(isPublicHttpsUrl, 'must be an absolute https URL with a host and no user name or password'),
  );

function isPublicHttpsUrl(value: string): boolean {
  if (!URL.canParse(value)) return false;
  const url = new URL(value);
  return url.protocol === 'https:' && url.hostname !== '' && url.username === '' && url.password === '';
}

const legalSchema = z.strictObject({ termsUrl: httpsUrlSchema, privacyUrl: httpsUrlSchema });

/** The default layer must be complete: it is what every country falls back to. */
export const completeConfigSchema = z.strictObject({
  currency: currencySchema,
  locale: localeSchema,
  paymentMethods: paymentMethodsSchema,
  features: featuresSchema,
  legal: legalSchema,
});

export const partialLayerSchema = z.strictObject({
  currency: z.optional(currencySchema),
  locale: z.optional(localeSchema),
  paymentMethods: z.optional(paymentMethodsSchema),
  features: z.optional(featuresSchema),
  legal: z.optional(z.partial(legalSchema)),
});

export type LayerValidation =
  | { ok: true; document: LayerDocument }
  | { ok: false; issues: ValidationIssue[] };

/**
 * Checks a layer document against the standards: ISO 4217 currencies in current use, BCP 47
 * locales, known payment methods, https URLs. The default layer must be complete; group and
 * country layers may set any subset. Every problem is reported, not only the first.
 * The layer's own id (a valid ISO 3166 code for a country) is guaranteed by its type.
 */
export function validateLayerDocument(layer: LayerId, input: unknown): LayerValidation {
  const schema = layer.kind === 'default' ? completeConfigSchema : partialLayerSchema;
  const result = schema.safeParse(input, { reportInput: true });
  if (result.success) return { ok: true, document: result.data as LayerDocument };
  return { ok: false, issues: result.error.issues.flatMap(toValidationIssues) };
}

function toValidationIssues(issue: z.core.$ZodIssue): ValidationIssue[] {
  const path = issue.path.map(String).join('.') || '(document)';
  switch (issue.code) {
    case 'invalid_type':
      return [{ path, message: issue.input === undefined ? 'is required' : `must be ${article(issue.expected)}` }];
    case 'invalid_key':
      // A bad key in `features`: the nested issue says what is wrong with the name.
      return issue.issues.map((nested) => ({ path, message: nested.message }));
    case 'unrecognized_keys':
      return issue.keys.map((key) => ({ path: path === '(document)' ? key : `${path}.${key}`, message: 'is not a configuration field' }));
    default:
      return [{ path, message: issue.message }];
  }
}

function article(type: string): string {
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}
