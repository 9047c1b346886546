import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CreateKeyCommand, DescribeKeyCommand, type KMSClient } from '@aws-sdk/client-kms';
import { z } from 'zod';

/**
 * Which KMS keys the local stack uses, as the CDK context `paymentKeyGenerations` decides on
 * AWS: the first payment key signs, the second (the previous one) is still trusted, and the
 * verdict key signs verification results only.
 */
export interface LocalSigningKeys {
  paymentKeyArns: string[];
  verdictKeyArn: string;
}

const signingKeysSchema = z.object({ paymentKeyArns: z.array(z.string()).min(1).max(2), verdictKeyArn: z.string() });

function keysFile(dataDir: string): string {
  return join(dataDir, 'signing-keys.json');
}

async function createSigningKey(kms: KMSClient, description: string): Promise<string> {
  const { KeyMetadata } = await kms.send(
    new CreateKeyCommand({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY', Description: description }),
  );
  if (!KeyMetadata?.Arn) throw new Error('CreateKey returned no key ARN');
  return KeyMetadata.Arn;
}

function save(dataDir: string, keys: LocalSigningKeys): void {
  mkdirSync(dataDir, { recursive: true });
  const temporary = `${keysFile(dataDir)}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(keys, null, 2)}\n`);
  renameSync(temporary, keysFile(dataDir));
}

/** Creates the keys on first start; afterwards checks that KMS still holds the recorded ones. */
export async function ensureSigningKeys(kms: KMSClient, dataDir: string): Promise<LocalSigningKeys> {
  if (existsSync(keysFile(dataDir))) {
    const keys = signingKeysSchema.parse(JSON.parse(readFileSync(keysFile(dataDir), 'utf8')));
    for (const arn of [...keys.paymentKeyArns, keys.verdictKeyArn]) {
      await kms.send(new DescribeKeyCommand({ KeyId: arn })).catch((error: unknown) => {
        throw new Error(
          `${keysFile(dataDir)} names ${arn}, which the local KMS does not hold (${(error as Error).name}). ` +
            'Delete the local data directory to start afresh.',
        );
      });
    }
    return keys;
  }
  const keys = {
    paymentKeyArns: [await createSigningKey(kms, 'local payment response signing key')],
    verdictKeyArn: await createSigningKey(kms, 'local verification verdict signing key'),
  };
  save(dataDir, keys);
  return keys;
}

/** Rotation as on AWS: a new current key, the old current becomes previous, the older one is retired. */
export async function rotatePaymentKey(kms: KMSClient, dataDir: string): Promise<LocalSigningKeys> {
  const keys = await ensureSigningKeys(kms, dataDir);
  const current = await createSigningKey(kms, 'local payment response signing key');
  const rotated = { ...keys, paymentKeyArns: [current, keys.paymentKeyArns[0]!] };
  save(dataDir, rotated);
  return rotated;
}
