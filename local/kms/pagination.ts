// Limit/Marker paging as KMS's List* operations do it. The marker is opaque to clients; here it is the
// name of the first item of the next page, so a page boundary survives items added or removed elsewhere.
import { KmsError } from './errors.js';

export interface Page<T> {
  items: T[];
  /** the response members: Truncated, and NextMarker when there is more */
  paging: { Truncated: boolean; NextMarker?: string };
}

export function paginate<T>(all: T[], nameOf: (item: T) => string, limit: number, marker: string | undefined): Page<T> {
  let start = 0;
  if (marker !== undefined) {
    start = all.findIndex((item) => nameOf(item) === marker);
    if (start < 0) throw new KmsError('InvalidMarkerException', `Invalid marker: ${marker}`);
  }
  const items = all.slice(start, start + limit);
  const next = all[start + limit];
  return { items, paging: next === undefined ? { Truncated: false } : { Truncated: true, NextMarker: nameOf(next) } };
}
