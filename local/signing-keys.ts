import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { dirname, join } from 'node:path';
import { CreateKeyCommand, DescribeKeyCommand, type KMSClient } from '@aws-sdk/client-kms';
import { earlyRetirement } from '../infra/key-retirement.js';
import * as z from '../shared/zod.js';

/**
 * Which KMS keys the local stack uses, as the payment-key record (deploy/payment-keys.json) decides
 * on AWS: the first payment key signs, the second (the previous one) is still trusted, the
 * verdict key signs verification results only, and the config key configuration answers only.
 */
export interface LocalSigningKeys {
  paymentKeyArns: string[];
  verdictKeyArn: string;
  configKeyArn: string;
  /** When the first payment key became current; files from before rotations were guarded lack it. */
  currentSince?: string;
}

const signingKeysSchema = z.object({
  paymentKeyArns: z.array(z.string()).check(z.minLength(1), z.maxLength(2)),
  verdictKeyArn: z.string(),
  // Files written before configuration answers were signed lack it: the key is made on the next start.
  configKeyArn: z.optional(z.string()),
  currentSince: z.optional(z.iso.datetime({ offset: true })),
});

/**
 * Where the key ARNs are recorded. Keys live in one KMS: another endpoint (`npm start` against an
 * external KMS) gets a file of its own, so switching back and forth never mixes them up.
 */
function keysFile(dataDir: string, kmsEndpoint?: string): string {
  if (kmsEndpoint === undefined) return join(dataDir, 'signing-keys.json');
  return join(dataDir, `signing-keys.${createHash('sha256').update(kmsEndpoint).digest('hex').slice(0, 12)}.json`);
}

async function createSigningKey(kms: KMSClient, description: string): Promise<string> {
  const { KeyMetadata } = await kms.send(
    new CreateKeyCommand({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY', Description: description }),
  );
  if (!KeyMetadata?.Arn) throw new Error('CreateKey returned no key ARN');
  return KeyMetadata.Arn;
}

function save(file: string, keys: LocalSigningKeys): void {
  mkdirSync(dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(keys, null, 2)}\n`);
  renameSync(temporary, file);
}

const CONFIG_KEY_DESCRIPTION = 'local configuration answer signing key';

/**
 * Creates the keys on first start; afterwards checks that KMS still holds the recorded ones, and
 * adds a key the file does not record yet (the config key, to a file of an earlier release).
 */
export async function ensureSigningKeys(kms: KMSClient, dataDir: string, kmsEndpoint?: string): Promise<LocalSigningKeys> {
  const file = keysFile(dataDir, kmsEndpoint);
  if (existsSync(file)) {
    const recorded = signingKeysSchema.parse(JSON.parse(readFileSync(file, 'utf8')));
    for (const arn of [...recorded.paymentKeyArns, recorded.verdictKeyArn, ...(recorded.configKeyArn ? [recorded.configKeyArn] : [])]) {
      await kms.send(new DescribeKeyCommand({ KeyId: arn })).catch((error: unknown) => {
        throw new Error(
          `${file} names ${arn}, which the KMS in use does not hold (${(error as Error).name}). ` +
            'Delete the local data directory to start afresh.',
        );
      });
    }
    if (recorded.configKeyArn) return { ...recorded, configKeyArn: recorded.configKeyArn };
    const keys = { ...recorded, configKeyArn: await createSigningKey(kms, CONFIG_KEY_DESCRIPTION) };
    save(file, keys);
    return keys;
  }
  const keys = {
    paymentKeyArns: [await createSigningKey(kms, 'local payment response signing key')],
    verdictKeyArn: await createSigningKey(kms, 'local verification verdict signing key'),
    configKeyArn: await createSigningKey(kms, CONFIG_KEY_DESCRIPTION),
    currentSince: new Date().toISOString(),
  };
  save(file, keys);
  return keys;
}

export interface LocalRotationOptions {
  now: Date;
  /** The deployment's choice (the payment-key record): the local stack keeps the same rule. */
  receiptVerifiableHours: number;
  /** Retire the previous key even inside its retirement window. */
  force?: boolean;
}

/**
 * Rotation as on AWS: a new current key, the old current becomes previous, the older one is
 * retired, under the deployment's rule: not inside its retirement window unless forced.
 */
export async function rotatePaymentKey(kms: KMSClient, dataDir: string, options: LocalRotationOptions): Promise<LocalSigningKeys> {
  const keys = await ensureSigningKeys(kms, dataDir);
  const previous = keys.paymentKeyArns[1];
  if (previous !== undefined) {
    // Unknown in an older file: as if the current key had just taken over, the safe side.
    const stoppedAt = keys.currentSince ? new Date(keys.currentSince) : options.now;
    const refusal = earlyRetirement(`the previous local payment key ${previous}`, stoppedAt, options.receiptVerifiableHours, options.now, '--force');
    if (refusal && !options.force) throw refusal;
  }
  const current = await createSigningKey(kms, 'local payment response signing key');
  const rotated = { ...keys, paymentKeyArns: [current, keys.paymentKeyArns[0]!], currentSince: options.now.toISOString() };
  save(keysFile(dataDir), rotated);
  return rotated;
}
