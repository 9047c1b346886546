import { type CountryCode, type GroupId, groupsOf, isGroupId, parseCountryCode } from './countries.js';

/** One stored layer of configuration: the global default, a region group, or a country. */
export type LayerId =
  | { kind: 'default' }
  | { kind: 'group'; group: GroupId }
  | { kind: 'country'; country: CountryCode };

export const DEFAULT_LAYER: LayerId = { kind: 'default' };

/** The name operators and `explain` use: `default`, `group:EU`, `country:DE`. */
export function layerName(layer: LayerId): string {
  switch (layer.kind) {
    case 'default':
      return 'default';
    case 'group':
      return `group:${layer.group}`;
    case 'country':
      return `country:${layer.country}`;
  }
}

/**
 * Reads a layer name. Besides the full forms, a bare group (`EU`) or country (`de`) is
 * accepted: the two sets cannot collide, because ISO never assigns EU or EUROZONE to a country.
 */
export function parseLayerName(value: string): LayerId | undefined {
  const trimmed = value.trim();
  if (trimmed.toLowerCase() === 'default') return DEFAULT_LAYER;
  const [prefix, rest] = trimmed.includes(':') ? (trimmed.split(':', 2) as [string, string]) : [undefined, trimmed];
  const kind = prefix?.toLowerCase();
  if ((kind === undefined || kind === 'group') && isGroupId(rest.toUpperCase())) {
    return { kind: 'group', group: rest.toUpperCase() as GroupId };
  }
  if (kind === undefined || kind === 'country') {
    const country = parseCountryCode(rest);
    if (country) return { kind: 'country', country };
  }
  return undefined;
}

/** The layers that make up a country's configuration, applied in this order: default, its groups broad to narrow, itself. */
export function layerChainFor(country: CountryCode | null): LayerId[] {
  if (country === null) return [DEFAULT_LAYER];
  return [
    DEFAULT_LAYER,
    ...groupsOf(country).map((group): LayerId => ({ kind: 'group', group })),
    { kind: 'country', country },
  ];
}
