/**
 * ISO 3166-1 alpha-2 country codes: every officially assigned code (249), plus XK.
 *
 * Why a table and not Intl: ECMAScript has no list of regions (`Intl.supportedValuesOf` knows
 * no 'region' key), and `Intl.DisplayNames` names codes that are not countries (`EU`, `UK`,
 * `QO`) as readily as real ones, so neither can say whether a code is assigned. Embedding the
 * list also keeps validation identical on every Node version.
 * XK (Kosovo) is a user-assigned code used by the European Commission, SWIFT and CLDR until
 * ISO assigns one. Reviewed 2026-11 against the ISO 3166 Maintenance Agency's list.
 */
const ASSIGNED_ALPHA2 = `
  AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ
  BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ
  CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ
  DE DJ DK DM DO DZ
  EC EE EG EH ER ES ET
  FI FJ FK FM FO FR
  GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY
  HK HM HN HR HT HU
  ID IE IL IM IN IO IQ IR IS IT
  JE JM JO JP
  KE KG KH KI KM KN KP KR KW KY KZ
  LA LB LC LI LK LR LS LT LU LV LY
  MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ
  NA NC NE NF NG NI NL NO NP NR NU NZ
  OM
  PA PE PF PG PH PK PL PM PN PR PS PT PW PY
  QA
  RE RO RS RU RW
  SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ
  TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ
  UA UG UM US UY UZ
  VA VC VE VG VI VN VU
  WF WS
  YE YT
  ZA ZM ZW
`.trim().split(/\s+/);

export const KOSOVO = 'XK';

/** An upper-case ISO 3166-1 alpha-2 code that this service accepts. */
export type CountryCode = string & { readonly __brand: 'CountryCode' };

export const COUNTRY_CODES: readonly CountryCode[] = [...ASSIGNED_ALPHA2, KOSOVO] as CountryCode[];
const COUNTRY_CODE_SET: ReadonlySet<string> = new Set(COUNTRY_CODES);

/** Accepts any case ('de', 'De', 'xk'); returns the upper-case code, or undefined if it is not one of ours. */
export function parseCountryCode(value: string): CountryCode | undefined {
  if (!/^[A-Za-z]{2}$/.test(value)) return undefined;
  const upper = value.toUpperCase();
  return COUNTRY_CODE_SET.has(upper) ? (upper as CountryCode) : undefined;
}

/**
 * Region groups whose layers sit between the global default and a country. Listed from broad
 * to narrow: a country's groups are applied in this order, so EUROZONE overrides EU.
 * Members are sovereign member states only; outermost regions with their own ISO codes
 * (GF, GP, MQ, RE, YT, MF) and euro users outside the euro area (AD, MC, SM, VA, ME, XK) get
 * their own country layers when they need them.
 */
const GROUP_MEMBERS = {
  /** The 27 member states of the European Union (Greece is GR in ISO 3166, EL in EU usage). */
  EU: 'AT BE BG CY CZ DE DK EE ES FI FR GR HR HU IE IT LT LU LV MT NL PL PT RO SE SI SK',
  /** The 21 euro area members as of 2026: Croatia joined on 2023-01-01, Bulgaria on 2026-01-01. */
  EUROZONE: 'AT BE BG CY DE EE ES FI FR GR HR IE IT LT LU LV MT NL PT SI SK',
} as const;

export type GroupId = keyof typeof GROUP_MEMBERS;

export const GROUP_IDS: readonly GroupId[] = Object.keys(GROUP_MEMBERS) as GroupId[];

const MEMBERS: Readonly<Record<GroupId, ReadonlySet<string>>> = {
  EU: new Set(GROUP_MEMBERS.EU.split(' ')),
  EUROZONE: new Set(GROUP_MEMBERS.EUROZONE.split(' ')),
};

export function isGroupId(value: string): value is GroupId {
  return Object.hasOwn(GROUP_MEMBERS, value);
}

export function membersOf(group: GroupId): CountryCode[] {
  return [...MEMBERS[group]] as CountryCode[];
}

/** The groups a country belongs to, broad to narrow. */
export function groupsOf(country: CountryCode): GroupId[] {
  return GROUP_IDS.filter((group) => MEMBERS[group].has(country));
}
