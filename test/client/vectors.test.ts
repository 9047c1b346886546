// The committed verdict vectors (test/vectors/verdicts.json) through the SDK's verdict check, with
// the verdict test key pinned as an app pins it. The nonce in a vector is fixed, so the check is
// driven directly with what the SDK would have sent; confirmPayment always sends a fresh one.
import { createLocalJWKSet } from 'jose';
import { describe, expect, it } from 'vitest';
import { createClient, VerdictRejectedError } from '../../client/src/index.js';
import { type AnswerToProve, verdictChecker } from '../../client/src/verdict.js';
import { readPaymentResponseVectors, readVerdictVectors, TEST_KEYS_NOTICE, type VerdictVector } from '../vectors/vectors.js';

const file = readVerdictVectors();
const checkVerdict = verdictChecker(createLocalJWKSet(file.pinnedVerdictKeys));
const check = (each: VerdictVector) => checkVerdict(each.answer as AnswerToProve, each.binding);

describe('verdict known-answer vectors', () => {
  it('say they hold test keys; the pinned set is the verdict key\'s public half, which the SDK takes as verdictKeys', () => {
    expect(file.notice).toBe(TEST_KEYS_NOTICE);
    expect(file.pinnedVerdictKeys.keys).toEqual([file.keys.verdict.publicJwk]);
    expect(file.keys.verdict.kid).not.toBe(file.keys.payment.kid);
    expect(() => createClient({ baseUrl: 'https://api.example.test', verdictKeys: file.pinnedVerdictKeys })).not.toThrow();
  });

  it('the completed verdict is about the settled payment response vector', () => {
    const settled = readPaymentResponseVectors().vectors.find((each) => each.name === 'settled')!;
    const completed = file.vectors.find((each) => each.name === 'completed')!;
    expect(completed.answer).toMatchObject({ verified: true, paymentCompleted: true, reason: 'OK', payment: { paymentId: settled.signedClaims!.jti } });
    expect(readPaymentResponseVectors().keys.payment.publicJwk).toEqual(file.keys.payment.publicJwk);
  });

  it.each(file.vectors.filter((each) => each.accepted).map((each) => [each.name, each] as const))('%s: accepted', async (_name, each) => {
    await expect(check(each)).resolves.toBeUndefined();
  });

  it.each(file.vectors.filter((each) => !each.accepted).map((each) => [each.name, each] as const))('%s: rejected by its check', async (_name, each) => {
    const error = await check(each).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(VerdictRejectedError);
    expect(error).toMatchObject({ code: 'verdict-rejected', retryable: false, check: each.check });
  });
});
