import { generateKeyPairSync, sign } from 'node:crypto';
import type { KMSClient, SignCommand } from '@aws-sdk/client-kms';
import { KmsJwsSigner } from '../../shared/adapters/kms-jws-signer.js';
import { NodeEs256Key } from '../../shared/adapters/node-es256-key.js';
import type { TrustedKeys } from '../../shared/domain/verification/trusted-keys.js';

export const ROOT_KEY_ARN = 'arn:aws:kms:us-east-1:000000000000:key/11111111-2222-4333-8444-555555555555';

/**
 * A root key as KMS holds it, answered in this process: the real KmsJwsSigner in front of a
 * Sign that counts its calls, and the trust set that holds its public half.
 */
export function inProcessRoot() {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const calls = {
    sign: 0,
    failing: undefined as Error | undefined,
    /** Whether each Sign carried an abort signal (a request deadline). */
    withDeadline: [] as boolean[],
    /** Set to hold Sign answers until the test releases them (a container frozen meanwhile). */
    held: undefined as Promise<void> | undefined,
  };
  const kms = {
    send: async (command: SignCommand, options?: { abortSignal?: AbortSignal }) => {
      calls.sign += 1;
      calls.withDeadline.push(options?.abortSignal !== undefined);
      if (calls.held) await calls.held;
      if (calls.failing) throw calls.failing;
      return { Signature: sign('sha256', command.input.Message!, privateKey) };
    },
  };
  const signer = new KmsJwsSigner(kms as unknown as KMSClient, ROOT_KEY_ARN);
  const key = new NodeEs256Key(publicKey);
  const roots: TrustedKeys = { keyFor: async (kid) => (kid === signer.kid ? { status: 'trusted', key } : { status: 'unknown' }) };
  return { signer, roots, calls };
}

/** A clock the test moves by hand (epoch ms). */
export function manualClock(start = Date.UTC(2026, 11, 2, 10)) {
  const clock = { ms: start, now: () => clock.ms, advanceSeconds: (seconds: number) => (clock.ms += seconds * 1000) };
  return clock;
}

/** An AWS SDK outage, as the SDK throws it for a refused connection. */
export function outage(): Error {
  return Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
}
