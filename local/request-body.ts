import type { IncomingMessage } from 'node:http';

/** AWS JSON requests the local endpoints take are a few kilobytes; anything near this is a mistake. */
export const MAX_REQUEST_BODY_BYTES = 1024 * 1024;

/**
 * A request's body as text, or undefined when it is larger than MAX_REQUEST_BODY_BYTES. It is read
 * to the end either way (past the limit, drained but not kept), so that every answer leaves the
 * connection reusable.
 */
export async function readRequestBody(request: IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    length += chunk.length;
    if (length <= MAX_REQUEST_BODY_BYTES) chunks.push(chunk);
  }
  return length > MAX_REQUEST_BODY_BYTES ? undefined : Buffer.concat(chunks).toString('utf8');
}
