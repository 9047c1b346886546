import type { MiddlewareObj } from '@middy/core';
import { PayloadTooLargeError } from '../errors.js';
import type { HttpEvent, HttpResult } from './types.js';

export const DEFAULT_MAX_BODY_BYTES = 16 * 1024;

/** Refuses bodies over the limit with 413 before anything parses them. */
export function bodyLimit(options: { maxBytes?: number } = {}): MiddlewareObj<HttpEvent, HttpResult> {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BODY_BYTES;
  return {
    before: function rejectOversizedBody(request) {
      const { body, isBase64Encoded } = request.event;
      if (body === undefined || body === null) return;
      const size = isBase64Encoded ? Buffer.from(body, 'base64').length : Buffer.byteLength(body, 'utf8');
      if (size > maxBytes) throw new PayloadTooLargeError(maxBytes);
    },
  };
}
