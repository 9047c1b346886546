/**
 * Seed configuration for the local stack, loaded on first start (see ../seed-config.ts) and
 * usable as a starting point on AWS: `npm run config -- put DE --file <a file with one of these>`.
 *
 * Currencies, locales and payment methods are the real ones of each market. Legal URLs use
 * the reserved domain signed-pay.example (RFC 2606) until the product has its own; the paths
 * follow each market's naming (AGB and Datenschutz in Germany, CGU in France, LGPD in Brazil).
 */
export interface SeedLayer {
  /** A layer name as the CLI takes it: `default`, `group:EU`, `country:DE`. */
  layer: string;
  document: Record<string, unknown>;
}

const LEGAL = 'https://signed-pay.example/legal';

export const CONFIG_SEED: readonly SeedLayer[] = [
  {
    layer: 'default',
    document: {
      currency: 'USD',
      locale: 'en-US',
      paymentMethods: ['card'],
      features: { savedCards: true, installments: false, strongCustomerAuthentication: false, newCheckout: false },
      legal: { termsUrl: `${LEGAL}/terms`, privacyUrl: `${LEGAL}/privacy` },
    },
  },
  {
    // PSD2 requires strong customer authentication for most card payments in the EEA; GDPR needs its own notice.
    layer: 'group:EU',
    document: {
      features: { strongCustomerAuthentication: true },
      legal: { privacyUrl: `${LEGAL}/eu/privacy` },
    },
  },
  {
    layer: 'group:EUROZONE',
    document: { currency: 'EUR', paymentMethods: ['card', 'sepa_debit'] },
  },
  {
    layer: 'country:US',
    document: {
      currency: 'USD',
      locale: 'en-US',
      paymentMethods: ['card', 'us_bank_account', 'apple_pay', 'google_pay', 'paypal'],
      features: { newCheckout: true },
    },
  },
  {
    // The UK kept SCA after Brexit (the FCA's rules); UK GDPR has its own notice.
    layer: 'country:GB',
    document: {
      currency: 'GBP',
      locale: 'en-GB',
      paymentMethods: ['card', 'bacs_debit', 'apple_pay', 'google_pay', 'paypal'],
      features: { strongCustomerAuthentication: true },
      legal: { termsUrl: `${LEGAL}/en-GB/terms`, privacyUrl: `${LEGAL}/en-GB/privacy` },
    },
  },
  {
    layer: 'country:DE',
    document: {
      locale: 'de-DE',
      paymentMethods: ['card', 'sepa_debit', 'paypal', 'klarna', 'apple_pay', 'google_pay'],
      legal: { termsUrl: `${LEGAL}/de-DE/agb`, privacyUrl: `${LEGAL}/de-DE/datenschutz` },
    },
  },
  {
    layer: 'country:FR',
    document: {
      locale: 'fr-FR',
      paymentMethods: ['card', 'sepa_debit', 'apple_pay', 'google_pay', 'paypal'],
      legal: { termsUrl: `${LEGAL}/fr-FR/cgu`, privacyUrl: `${LEGAL}/fr-FR/confidentialite` },
    },
  },
  {
    layer: 'country:NL',
    document: { locale: 'nl-NL', paymentMethods: ['ideal', 'card', 'sepa_debit', 'apple_pay'] },
  },
  {
    // In the EU, not in the euro area: the EU layer applies, the EUROZONE one does not.
    layer: 'country:PL',
    document: { currency: 'PLN', locale: 'pl-PL', paymentMethods: ['blik', 'p24', 'card', 'google_pay', 'apple_pay'] },
  },
  {
    // Euro area member since 2026-01-01: EUR comes from the EUROZONE layer.
    layer: 'country:BG',
    document: { locale: 'bg-BG' },
  },
  {
    // Card installments (bunkatsu-barai) are common; konbini and PayPay cover shoppers without cards.
    layer: 'country:JP',
    document: {
      currency: 'JPY',
      locale: 'ja-JP',
      paymentMethods: ['card', 'konbini', 'paypay'],
      features: { installments: true },
      legal: { termsUrl: `${LEGAL}/ja-JP/terms`, privacyUrl: `${LEGAL}/ja-JP/privacy` },
    },
  },
  {
    // PIPL needs its own privacy notice.
    layer: 'country:CN',
    document: {
      currency: 'CNY',
      locale: 'zh-CN',
      paymentMethods: ['alipay', 'wechat_pay', 'card'],
      legal: { termsUrl: `${LEGAL}/zh-CN/terms`, privacyUrl: `${LEGAL}/zh-CN/privacy` },
    },
  },
  {
    // RBI rules require an additional factor of authentication for card payments.
    layer: 'country:IN',
    document: {
      currency: 'INR',
      locale: 'en-IN',
      paymentMethods: ['upi', 'card', 'netbanking'],
      features: { strongCustomerAuthentication: true },
      legal: { privacyUrl: `${LEGAL}/en-IN/privacy` },
    },
  },
  {
    // Pix dominates; parcelamento (card installments) is expected; LGPD needs its own notice.
    layer: 'country:BR',
    document: {
      currency: 'BRL',
      locale: 'pt-BR',
      paymentMethods: ['pix', 'card', 'boleto'],
      features: { installments: true },
      legal: { termsUrl: `${LEGAL}/pt-BR/termos`, privacyUrl: `${LEGAL}/pt-BR/privacidade` },
    },
  },
];
