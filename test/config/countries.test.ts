import { describe, expect, it } from 'vitest';
import { COUNTRY_CODES, groupsOf, membersOf, parseCountryCode } from '../../shared/domain/config/countries.js';

describe('the embedded ISO 3166-1 list', () => {
  it('holds the 249 officially assigned alpha-2 codes plus XK, each once', () => {
    expect(COUNTRY_CODES).toHaveLength(250);
    expect(new Set(COUNTRY_CODES).size).toBe(250);
    expect(COUNTRY_CODES).toContain('XK');
  });

  it('holds only codes CLDR can name (a typo would come back unnamed)', () => {
    const names = new Intl.DisplayNames(['en'], { type: 'region', fallback: 'code' });
    const unnamed = COUNTRY_CODES.filter((code) => names.of(code) === code);
    expect(unnamed).toEqual([]);
  });

  it('leaves out reserved and user-assigned codes that are not countries', () => {
    for (const code of ['EU', 'UK', 'EZ', 'UN', 'ZZ', 'AA', 'QM', 'XA', 'FX', 'DD', 'YU', 'AN']) {
      expect(parseCountryCode(code), code).toBeUndefined();
    }
  });

  it('accepts any case and returns upper case', () => {
    expect(parseCountryCode('de')).toBe('DE');
    expect(parseCountryCode('xk')).toBe('XK');
    expect(parseCountryCode('Jp')).toBe('JP');
  });

  it('refuses anything that is not two letters', () => {
    for (const value of ['', 'D', 'DEU', '276', 'D1', ' DE', 'DE ', 'É', 'ÄÖ']) expect(parseCountryCode(value), value).toBeUndefined();
  });
});

describe('region groups', () => {
  it('EU has the 27 member states', () => {
    expect(membersOf('EU')).toHaveLength(27);
    expect(membersOf('EU')).toEqual(expect.arrayContaining(['DE', 'FR', 'GR', 'HR', 'BG', 'PL', 'SE']));
    expect(membersOf('EU')).not.toContain('GB');
  });

  it('EUROZONE has the 21 euro area members of 2026, all in the EU', () => {
    expect(membersOf('EUROZONE')).toHaveLength(21);
    expect(membersOf('EUROZONE')).toEqual(expect.arrayContaining(['BG', 'HR', 'DE', 'FR']));
    for (const member of membersOf('EUROZONE')) expect(membersOf('EU')).toContain(member);
  });

  it('lists a country\'s groups broad to narrow', () => {
    expect(groupsOf(parseCountryCode('DE')!)).toEqual(['EU', 'EUROZONE']);
    expect(groupsOf(parseCountryCode('PL')!)).toEqual(['EU']);
    expect(groupsOf(parseCountryCode('US')!)).toEqual([]);
  });
});
