import type { MiddlewareObj } from '@middy/core';
import { MalformedBodyError, UnsupportedMediaTypeError } from '../errors.js';
import type { HttpEvent, HttpResult } from './types.js';

export type JsonEvent = HttpEvent & { jsonBody: unknown };

const JSON_MEDIA_TYPE = /^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i;

/**
 * Parses a JSON body into `event.jsonBody`. Written by hand because middy's parser answers
 * malformed JSON with 415 and our contract says 400, with a detail that helps.
 */
export function jsonBody(): MiddlewareObj<JsonEvent, HttpResult> {
  return {
    before: function parseJsonBody(request) {
      const { event } = request;
      const contentType = event.headers?.['content-type'] ?? '';
      if (!JSON_MEDIA_TYPE.test(contentType)) {
        throw new UnsupportedMediaTypeError(
          `Send the body as JSON with 'content-type: application/json' (got '${contentType.slice(0, 100) || 'none'}').`,
        );
      }
      const text = event.isBase64Encoded ? Buffer.from(event.body ?? '', 'base64').toString('utf8') : (event.body ?? '');
      if (text.trim() === '') throw new MalformedBodyError('The request body is empty; send a JSON object.');
      try {
        event.jsonBody = JSON.parse(text);
      } catch (error) {
        throw new MalformedBodyError(`The request body is not valid JSON: ${(error as Error).message}`);
      }
    },
  };
}
