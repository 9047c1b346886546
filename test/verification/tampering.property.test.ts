import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { paymentClaims, startVerificationStack, type VerificationStack } from './verification-stack.js';

let stack: VerificationStack;
let token: string;
beforeAll(async () => {
  stack = await startVerificationStack();
  token = await stack.signWith(stack.keyArns.current, paymentClaims());
});
afterAll(async () => {
  await stack?.close();
});

/** The base64url alphabet, the separators and padding of other encodings, and a few that are nobody's. */
const replacement = fc.oneof(
  fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'.split('')),
  fc.constantFrom('.', '=', '+', '/', ' ', '\n', '\u0000', 'é', '\u200b'),
);

/**
 * One character of one part (header, payload or signature) replaced, inserted or deleted. The
 * ends of a part are drawn as often as the rest together: a part's last character has spare bits
 * that a lenient decoder ignores, so that is where a change can leave the decoded bytes intact.
 */
const singleCharacterChange = fc
  .record({
    part: fc.integer({ min: 0, max: 2 }),
    offset: fc.oneof(fc.nat(), fc.constant(0), fc.constant(-1)),
    edit: fc.constantFrom('replace', 'insert', 'delete'),
    character: replacement,
  })
  .map(({ part, offset, edit, character }) => {
    const parts = token.split('.');
    const text = parts[part]!;
    const positions = text.length + (edit === 'insert' ? 1 : 0);
    const at = offset < 0 ? positions - 1 : offset % positions;
    const before = text.slice(0, at);
    const after = edit === 'insert' ? text.slice(at) : text.slice(at + 1);
    parts[part] = edit === 'delete' ? before + after : before + character + after;
    return parts.join('.');
  })
  .filter((changed) => changed !== token);

it('no single-character change to a valid payment response, in any of its three parts, verifies', async () => {
  expect((await stack.verify({ paymentResponse: token })).body).toMatchObject({ verified: true, reason: 'OK' });
  await fc.assert(
    fc.asyncProperty(singleCharacterChange, async (changed) => {
      const reply = await stack.verify({ paymentResponse: changed });
      expect(reply.statusCode).toBe(200);
      expect(reply.body).toMatchObject({ verified: false, paymentCompleted: false, retryable: false });
    }),
    { numRuns: 3_000 },
  );
});
