// What every operation works with. The clock is injected so tests can move past a deletion date.
import type { KmsScope } from './key-references.js';
import type { KeyStore } from './key-store.js';
import type { RequestBody } from './request-fields.js';

export interface KmsContext {
  store: KeyStore;
  scope: KmsScope;
  now(): Date;
}

/** One KMS API action: takes the parsed JSON request body, returns the JSON response body. */
export type KmsOperation = (context: KmsContext, body: RequestBody) => Promise<object>;

/** KMS's JSON protocol sends timestamps as seconds since the epoch. */
export function epochSeconds(date: Date): number {
  return date.getTime() / 1000;
}
