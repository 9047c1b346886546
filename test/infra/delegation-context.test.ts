import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../../infra/app.js';
import { CONTEXT_KEYS, parseDeploymentContext } from '../../infra/context.js';
import { PAYMENT_KEY_RECORD_FILE } from '../../infra/payment-key-record.js';
import { REPOSITORY_ROOT } from '../../infra/project-root.js';
import { MAX_DELEGATION_LIFETIME_SECONDS, MIN_DELEGATION_LIFETIME_SECONDS } from '../../shared/domain/delegation/delegation.js';
import { MID_ROTATION_RECORD } from './support/payment-key-records.js';
import { SYNTH_TIMEOUT_MS, WITHOUT_BUNDLING } from './support/synth.js';

// The signing-mode settings of issue 13, read from context alone (no synth but the last test).
const withContext = (context: Record<string, unknown>) => parseDeploymentContext((key) => context[key]);
const signingOf = (context: Record<string, unknown>) => {
  const { signingMode, delegationLifetimeSeconds, delegationRetentionHours } = withContext(context);
  return { signingMode, delegationLifetimeSeconds, delegationRetentionHours };
};
const checkedInRecord = JSON.parse(readFileSync(join(REPOSITORY_ROOT, PAYMENT_KEY_RECORD_FILE), 'utf8')) as { receiptVerifiableHours: number };

describe('the signing mode', () => {
  it('is read from context as signingMode and delegationLifetimeMinutes', () => {
    expect(CONTEXT_KEYS).toEqual(expect.arrayContaining(['signingMode', 'delegationLifetimeMinutes']));
  });

  it('defaults to kms, with hour-long delegations kept as long as the checked-in record keeps receipts verifiable', () => {
    expect(signingOf({})).toEqual({
      signingMode: 'kms',
      delegationLifetimeSeconds: MAX_DELEGATION_LIFETIME_SECONDS,
      delegationRetentionHours: checkedInRecord.receiptVerifiableHours,
    });
  });

  it('is delegated when asked, with the lifetime in whole minutes, as JSON or as -c delivers it', () => {
    expect(signingOf({ signingMode: 'delegated', delegationLifetimeMinutes: 15 })).toMatchObject({ signingMode: 'delegated', delegationLifetimeSeconds: 900 });
    expect(signingOf({ signingMode: 'delegated', delegationLifetimeMinutes: '30' })).toMatchObject({ delegationLifetimeSeconds: 1800 });
    expect(signingOf({ delegationLifetimeMinutes: 5 }).delegationLifetimeSeconds).toBe(MIN_DELEGATION_LIFETIME_SECONDS);
    expect(signingOf({ delegationLifetimeMinutes: '60' }).delegationLifetimeSeconds).toBe(MAX_DELEGATION_LIFETIME_SECONDS);
  });

  it('keeps delegations for the receiptVerifiableHours of the payment-key record the context names', () => {
    expect(signingOf({ paymentKeyRecord: { ...MID_ROTATION_RECORD, receiptVerifiableHours: 168 } }).delegationRetentionHours).toBe(168);
  });

  it('refuses a mode that is not kms or delegated, saying what each does', () => {
    for (const mode of ['hsm', 'KMS', 'local', '', true]) {
      expect(() => withContext({ signingMode: mode }), String(mode)).toThrow(
        'Invalid CDK context: signingMode: must be one of kms, delegated: kms signs every token with KMS, delegated signs with a per-container key KMS certifies',
      );
    }
  });

  it('refuses a lifetime under 5 or over 60 minutes, or not whole minutes, saying why the bounds are there', () => {
    for (const minutes of [4, 61, 0, -5, 7.5, '90', 'soon', '', '1h', null]) {
      expect(() => withContext({ signingMode: 'delegated', delegationLifetimeMinutes: minutes }), String(minutes)).toThrow(
        'Invalid CDK context: delegationLifetimeMinutes: must be a whole number of minutes from 5 to 60: at most 60, the longest a stolen ephemeral key may sign; at least 5, or every container calls KMS Sign that often',
      );
    }
  });

  it('names every invalid setting in one error', () => {
    expect(() => withContext({ signingMode: 'hsm', delegationLifetimeMinutes: 120 })).toThrow(/signingMode: .*; delegationLifetimeMinutes: /);
  });

  it('fails synth with that message', { timeout: SYNTH_TIMEOUT_MS }, () => {
    expect(() => buildApp({ ...WITHOUT_BUNDLING, signingMode: 'delegated', delegationLifetimeMinutes: '120' })).toThrow(
      /Invalid CDK context: delegationLifetimeMinutes: must be a whole number of minutes from 5 to 60/,
    );
  });
});
