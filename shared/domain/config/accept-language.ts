import { type CountryCode, parseCountryCode } from './countries.js';

export interface LanguageRange {
  tag: string;
  /** 0 to 1000: the q-value in thousandths, so that ties compare exactly. */
  weight: number;
}

// RFC 9110 §12.4.2: qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] ).
const QVALUE = /^(?:0(?:\.\d{0,3})?|1(?:\.0{0,3})?)$/;
// RFC 4647 §2.1 language-range, which is what Accept-Language carries (RFC 9110 §12.5.4).
const LANGUAGE_RANGE = /^(?:\*|[A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8})*)$/;
// Headers are attacker-controlled: look at no more than this many elements.
const MAX_ELEMENTS = 50;

/**
 * Parses an Accept-Language field value into its ranges, best first. Elements that do not
 * follow the grammar (a malformed q, a bad range, unknown parameters) are dropped on their
 * own, as a lenient recipient does; q=0 means "not acceptable" and is dropped too. Ranges of
 * equal weight keep the order the client sent them in.
 */
export function parseAcceptLanguage(header: string | undefined): LanguageRange[] {
  if (!header) return [];
  const ranges: Array<LanguageRange & { position: number }> = [];
  const elements = header.split(',').slice(0, MAX_ELEMENTS);
  elements.forEach((element, position) => {
    const [rawTag = '', ...parameters] = element.split(';').map((part) => part.trim());
    if (!LANGUAGE_RANGE.test(rawTag)) return;
    let weight = 1000;
    if (parameters.length > 1) return;
    if (parameters.length === 1) {
      const match = /^q\s*=\s*(.*)$/i.exec(parameters[0]!);
      if (!match || !QVALUE.test(match[1]!)) return;
      weight = Math.round(Number(match[1]) * 1000);
    }
    if (weight > 0) ranges.push({ tag: rawTag, weight, position });
  });
  ranges.sort((a, b) => b.weight - a.weight || a.position - b.position);
  return ranges.map(({ tag, weight }) => ({ tag, weight }));
}

/**
 * The country of the best-weighted range that names one: `de-AT` gives AT, `zh-Hant-TW` gives
 * TW (Intl.Locale finds the region subtag after a script). Ranges without a region (`de`, `*`),
 * with a region that is not a country (`es-419`, Latin America) or that Intl cannot parse are
 * passed over for the next one. Intl also maps deprecated regions (`en-UK` to GB, `de-DD` to DE).
 */
export function countryFromAcceptLanguage(header: string | undefined): CountryCode | undefined {
  for (const { tag } of parseAcceptLanguage(header)) {
    const country = countryOfTag(tag);
    if (country) return country;
  }
  return undefined;
}

function countryOfTag(tag: string): CountryCode | undefined {
  if (tag === '*') return undefined;
  let region: string | undefined;
  try {
    region = new Intl.Locale(tag).region;
  } catch {
    return undefined; // grandfathered or private-use tags, which name no region
  }
  return region === undefined ? undefined : parseCountryCode(region);
}
