// The demo checkout: plain JavaScript on the built SDK, no framework.
import { createClient, SignedPayError } from '/sdk/index.js';

const MERCHANT_ID = 'm_demo';

/** Prices in minor units per currency (money is never a float). */
const CATALOGUE = [
  { name: 'Signed-pay T-shirt', quantity: 1, prices: { USD: 2500, EUR: 2300, GBP: 2000, JPY: 3500, CNY: 16900, INR: 199900, BRL: 12900, PLN: 9900 } },
  { name: 'Verification mug', quantity: 2, prices: { USD: 1200, EUR: 1100, GBP: 950, JPY: 1500, CNY: 7900, INR: 89900, BRL: 5900, PLN: 4900 } },
];

/** Countries offered by the picker: the seeded ones, and a few that inherit from their groups. */
const COUNTRIES = ['US', 'GB', 'DE', 'FR', 'NL', 'PL', 'BG', 'IT', 'ES', 'JP', 'CN', 'IN', 'BR', 'CA'];

const SOURCES = {
  query: 'chosen on this page',
  cloudfront: 'from the CloudFront-Viewer-Country header',
  'accept-language': "from your browser's languages",
  default: 'no country found: the default configuration',
};

const METHOD_NAMES = {
  card: 'Card', apple_pay: 'Apple Pay', google_pay: 'Google Pay', paypal: 'PayPal', klarna: 'Klarna', affirm: 'Affirm',
  afterpay_clearpay: 'Afterpay / Clearpay', sepa_debit: 'SEPA Direct Debit', bacs_debit: 'Bacs Direct Debit',
  us_bank_account: 'US bank account', ideal: 'iDEAL', bancontact: 'Bancontact', eps: 'EPS', p24: 'Przelewy24', blik: 'BLIK',
  twint: 'TWINT', mobilepay: 'MobilePay', swish: 'Swish', multibanco: 'Multibanco', mb_way: 'MB WAY', pix: 'Pix', boleto: 'Boleto',
  upi: 'UPI', netbanking: 'Netbanking', alipay: 'Alipay', wechat_pay: 'WeChat Pay', konbini: 'Konbini (convenience store)', paypay: 'PayPay',
};

/** What each verification reason means for the shopper. */
const REASONS = {
  OK: 'The payment response is signed by the payment service and matches this order.',
  MALFORMED: 'The payment response is not a well-formed signed token.',
  UNSUPPORTED_ALGORITHM: 'The payment response names a signing algorithm outside the allowlist (ES256 only).',
  WRONG_TYPE: 'The token is not a payment response.',
  UNKNOWN_KEY: 'The payment response was signed by a key the service does not trust.',
  KEYS_UNAVAILABLE: 'The verification service could not load its keys.',
  BAD_SIGNATURE: 'The signature does not match the payment response: it was changed after it was signed.',
  INVALID_CLAIMS: 'The signed content is not a valid payment response.',
  MISMATCH_MERCHANT: 'The payment response is for another merchant.',
  MISMATCH_ORDER: 'The payment response is for another order.',
  MISMATCH_AMOUNT: 'The payment response is for another amount.',
  NOT_SETTLED: 'The payment was declined.',
  NOT_IN_LEDGER: 'The ledger holds no matching payment.',
};

const $ = (id) => document.getElementById(id);
// The shop's backend would hold this token; the demo page gets m_demo's dev token from npm start.
const demoConfig = fetch('/demo-config.json')
  .then((response) => (response.ok ? response.json() : {}))
  .catch(() => ({}));
/**
 * What the page starts with when no configuration the SDK verified can answer (offline on a first
 * visit, or after too long): the shop's own, shipped with the page.
 */
const DEFAULTS = {
  version: 'demo-defaults-1',
  config: {
    currency: 'USD',
    locale: 'en-US',
    paymentMethods: ['card'],
    features: {},
    legal: { termsUrl: 'https://signed-pay.example/legal/terms', privacyUrl: 'https://signed-pay.example/legal/privacy' },
  },
};
// Configuration answers are checked against the service's config key set (/.well-known/config-jwks.json).
const client = createClient({ baseUrl: location.origin, storage: localStorageIfAllowed(), auth: demoAuth, defaults: DEFAULTS });
const regionNames = new Intl.DisplayNames(['en'], { type: 'region' });

let state = { config: undefined, order: undefined, busy: false, retry: undefined };

/** The SDK asks for it at every settle attempt. */
async function demoAuth() {
  const { accessToken } = await demoConfig;
  if (!accessToken) throw new Error('This page has no access token to pay with: open it from npm start.');
  return { authorization: `Bearer ${accessToken}` };
}

function localStorageIfAllowed() {
  try {
    return window.localStorage;
  } catch {
    return undefined; // disabled storage: the SDK keeps its copy in memory
  }
}

// ---- configuration ------------------------------------------------------------------------

async function loadConfig(country) {
  $('config-section').setAttribute('aria-busy', 'true');
  setPayable(false);
  try {
    const config = await client.getConfig(country ? { country } : {});
    state = { ...state, config, order: orderFor(config), retry: undefined };
    renderConfig(config);
    renderCart();
    renderMethods(config.config.paymentMethods);
  } catch (error) {
    showResult('error', 'The configuration could not be loaded.', [['Error', describeError(error)]]);
  } finally {
    $('config-section').setAttribute('aria-busy', 'false');
    $('country').disabled = false;
    setPayable(Boolean(state.order));
  }
}

/** Where the configuration in use comes from, as the SDK says (`from`, `stale`). */
const PROVENANCE = {
  network: (version) => `Configuration ${version}, signed by the service and verified on this device.`,
  cache: (version) => `Configuration ${version}, signed by the service and verified on this device when it was received; kept on this device.`,
  defaults: (version) => `This page's built-in configuration (${version}): no configuration signed by the service could be used.`,
};

/** Why the configuration in use may not be current, by where it comes from (shown when `stale`). */
const STALE_NOTICE = {
  network: 'The service answered with the last configuration it knows: its configuration store could not be read.',
  cache: 'The service could not be reached, or its answer could not be verified: this is the last configuration this device verified.',
  defaults: "No configuration signed by the service could be used: this is the page's built-in configuration.",
};

function renderConfig({ country, source, version, config, stale, from }) {
  const select = $('country');
  const codes = country && !COUNTRIES.includes(country) ? [country, ...COUNTRIES] : COUNTRIES;
  select.replaceChildren(
    new Option('Automatic (as the service finds you)', ''),
    ...codes.map((code) => new Option(`${regionNames.of(code)} (${code})`, code)),
  );
  select.value = country ?? '';
  const where = from === 'defaults' ? 'Built-in defaults' : country ? `${regionNames.of(country)}, ${SOURCES[source]}` : SOURCES[source];
  $('config-summary').textContent = `${where}. Prices in ${config.currency}, formatted for ${config.locale}.`;
  $('config-provenance').textContent = PROVENANCE[from](version);
  $('config-provenance').dataset.from = from;
  // The defaults say so in their provenance already.
  $('config-stale').textContent = STALE_NOTICE[from];
  $('config-stale').hidden = !stale || from === 'defaults';
  setLink($('terms'), config.legal.termsUrl);
  setLink($('privacy'), config.legal.privacyUrl);
}

/**
 * The SDK refuses any configuration whose legal URLs are not https; this page checks again
 * before a URL becomes a link, so that no javascript: or http: URL ever reaches href.
 */
function setLink(anchor, url) {
  let https = false;
  try {
    https = new URL(url).protocol === 'https:';
  } catch {
    https = false;
  }
  if (https) anchor.href = url;
  else anchor.removeAttribute('href');
}

/** The order in the configured currency, or undefined when the shop has no prices in it. */
function orderFor({ config }) {
  const { currency, locale } = config;
  if (!CATALOGUE.every((item) => Number.isInteger(item.prices[currency]))) return undefined;
  const lines = CATALOGUE.map((item) => ({ ...item, total: item.prices[currency] * item.quantity }));
  const value = lines.reduce((sum, line) => sum + line.total, 0);
  return { lines, amount: { value, currency }, format: moneyFormatter(locale, currency) };
}

/** Formats minor units: the currency's fraction digits say where the decimal point goes (JPY has none). */
function moneyFormatter(locale, currency) {
  const format = new Intl.NumberFormat(locale, { style: 'currency', currency });
  const digits = format.resolvedOptions().maximumFractionDigits ?? 2;
  return (minorUnits) => format.format(minorUnits / 10 ** digits);
}

function renderCart() {
  const { order, config } = state;
  const body = $('cart').tBodies[0];
  if (!order) {
    body.replaceChildren(row([`This shop has no prices in ${config.config.currency}.`, '', '']));
    $('total').textContent = '';
    $('pay').textContent = 'Pay';
    return;
  }
  body.replaceChildren(...order.lines.map((line) => row([line.name, String(line.quantity), order.format(line.total)])));
  $('total').textContent = order.format(order.amount.value);
  $('pay').textContent = `Pay ${order.format(order.amount.value)}`;
}

function row(cells) {
  const tr = document.createElement('tr');
  for (const text of cells) {
    const td = document.createElement('td');
    td.textContent = text;
    tr.append(td);
  }
  return tr;
}

function renderMethods(methods) {
  const options = methods.map((method, index) => {
    const wrapper = document.createElement('div');
    wrapper.className = 'method';
    const input = document.createElement('input');
    Object.assign(input, { type: 'radio', name: 'method', id: `method-${method}`, value: method });
    const label = document.createElement('label');
    label.htmlFor = input.id;
    label.textContent = METHOD_NAMES[method] ?? method;
    wrapper.append(input, ' ', label);
    // The sandbox processor settles cards only; the other methods are shown as the country offers them.
    if (method === 'card') {
      input.checked = true;
    } else {
      input.disabled = true;
      const note = document.createElement('span');
      note.className = 'note';
      note.id = `method-${method}-note`;
      note.textContent = ' (not available in the sandbox)';
      input.setAttribute('aria-describedby', note.id);
      wrapper.append(note);
    }
    return wrapper;
  });
  $('method-options').replaceChildren(...options);
}

// ---- paying -------------------------------------------------------------------------------

async function pay() {
  const { order } = state;
  if (state.busy || !order) return;
  state.busy = true;
  setPayable(false);
  showResult('paying', 'Paying…', []);
  const tamper = $('tamper').checked;
  const token = $('token').value;
  // After a retryable failure, paying the same again is the same payment: same order, same
  // Idempotency-Key, so it is never charged twice. Anything changed makes a new payment.
  const attempt = state.retry?.token === token ? state.retry : { orderId: `order_${crypto.randomUUID().slice(0, 8)}`, token };
  const expected = { merchantId: MERCHANT_ID, orderId: attempt.orderId, amount: order.amount };
  try {
    let settlement;
    try {
      settlement = await client.settle(
        { ...expected, paymentMethod: { type: 'card', token } },
        attempt.idempotencyKey ? { idempotencyKey: attempt.idempotencyKey } : {},
      );
      state.retry = undefined;
    } catch (error) {
      const retryable = error instanceof SignedPayError && error.retryable && error.idempotencyKey;
      state.retry = retryable ? { ...attempt, idempotencyKey: error.idempotencyKey } : undefined;
      showResult('error', 'The payment could not be made.', [
        ['Error', describeError(error)],
        ...(state.retry ? [['Next step', 'Pay again: the same payment is retried, never charged twice.']] : []),
      ]);
      return;
    }
    showResult('confirming', 'Asking the verification service…', []);
    const sent = tamper ? tamperedResponse(settlement.paymentResponse) : { token: settlement.paymentResponse };
    try {
      const confirmation = await client.confirmPayment(sent.token, expected, { nonce: true });
      showConfirmation(confirmation, settlement, expected, sent);
    } catch (error) {
      // No answer is never a confirmation: the payment stays unconfirmed until the verifier answers.
      showResult('error', 'Payment not confirmed: the verification service gave no answer this device can trust.', [
        ['Payment', settlement.paymentId],
        ['Error', describeError(error)],
      ]);
    }
  } finally {
    state.busy = false;
    setPayable(true);
  }
}

/** What an attacker on the device might do: change the signed amount without re-signing. */
function tamperedResponse(token) {
  const [header, payload, signature] = token.split('.');
  const claims = JSON.parse(fromBase64url(payload));
  const changed = { ...claims, amount: { ...claims.amount, value: claims.amount.value === 1 ? 2 : 1 } };
  return { token: `${header}.${toBase64url(JSON.stringify(changed))}.${signature}`, from: claims.amount, to: changed.amount };
}

function showConfirmation(confirmation, settlement, expected, sent) {
  const format = state.order.format;
  const details = [
    ['Reason', `${confirmation.reason}: ${REASONS[confirmation.reason] ?? ''}`],
    ['Payment', `${settlement.paymentId} (${settlement.status.toLowerCase()})`],
    ['Order', `${expected.orderId}, ${format(expected.amount.value)}`],
  ];
  if (sent.to) details.push(['Tampering', `This device changed the amount in the payment response from ${format(sent.from.value)} to ${format(sent.to.value)}.`]);
  if (confirmation.verdict) details.push(['Verdict', 'Signed by the verification service for this request; checked on this device.']);
  if (confirmation.completed) {
    showResult('confirmed', 'Payment confirmed.', details);
  } else {
    showResult('not-confirmed', 'Payment not confirmed.', details);
  }
}

// ---- output -------------------------------------------------------------------------------

/** One place writes the live region, so each state is announced once, as a whole. */
function showResult(stateName, headline, details) {
  const result = $('result');
  result.dataset.state = stateName;
  const title = document.createElement('p');
  title.className = 'verdict';
  title.textContent = headline;
  const list = document.createElement('dl');
  for (const [term, description] of details) {
    const dt = document.createElement('dt');
    dt.textContent = term;
    const dd = document.createElement('dd');
    dd.textContent = description;
    list.append(dt, dd);
  }
  result.replaceChildren(title, ...(details.length ? [list] : []));
}

function describeError(error) {
  if (error instanceof SignedPayError) {
    const requestId = error.requestId ? `, request ${error.requestId}` : '';
    const check = error.check ? `: ${error.check}` : '';
    return `${error.message} (${error.code}${check}${error.retryable ? ', worth retrying' : ''}${requestId})`;
  }
  return String(error);
}

/** aria-disabled rather than disabled: the button keeps its place in the focus order while busy. */
function setPayable(payable) {
  $('pay').setAttribute('aria-disabled', String(!payable || state.busy || !state.order));
}

function fromBase64url(text) {
  const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
  return new TextDecoder().decode(Uint8Array.from(binary, (char) => char.charCodeAt(0)));
}

function toBase64url(text) {
  const binary = String.fromCharCode(...new TextEncoder().encode(text));
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

// ---- wiring -------------------------------------------------------------------------------

$('checkout').addEventListener('submit', (event) => {
  event.preventDefault();
  void pay();
});
$('country').addEventListener('change', (event) => {
  const country = event.target.value;
  const url = new URL(location.href);
  if (country) url.searchParams.set('country', country);
  else url.searchParams.delete('country');
  history.replaceState(null, '', url);
  void loadConfig(country || undefined);
});

void loadConfig(new URLSearchParams(location.search).get('country') || undefined);
