import type { Logger } from '@aws-lambda-powertools/logger';
import type { LineFields } from './service-metrics.js';

/** Ids and outcome codes: never bodies, tokens, signatures, card data or secrets. Undefined: not known, not written. */
export type RequestKeyValues = LineFields;

/**
 * What a function knows about the request in flight (the merchant, the payment, the reason, the
 * problem): on every log line the request writes from then on, through the logger's temporary
 * keys, and in the request's answer record (request-telemetry.ts), which the logger cannot be
 * asked for. Lambda runs one request at a time per container; the local stack may overlap them.
 */
export class RequestKeys {
  #keys: Record<string, string | number | boolean | undefined> = {};

  constructor(private readonly logger: Logger) {}

  append(keys: RequestKeyValues): void {
    this.logger.appendKeys(keys);
    Object.assign(this.#keys, keys);
  }

  /** Ends the request: its keys, for its answer record, and none left for the next request. */
  end(): RequestKeyValues {
    const keys = this.#keys;
    this.#keys = {};
    this.logger.resetKeys();
    return keys;
  }
}
