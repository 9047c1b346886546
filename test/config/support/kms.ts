import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { startKmsServer } from '../../../local/kms/kms-server.js';
import { TEST_CREDENTIALS, TEST_REGION } from './dynamodb.js';

/** The local KMS endpoint holding a config signing key, as the stateful stack makes it. */
export interface ConfigKms {
  url: string;
  keyArn: string;
  /** Sign requests the endpoint answered with a signature. */
  signs(): number;
  stop(): Promise<void>;
}

export async function startConfigKms(): Promise<ConfigKms> {
  const dataDir = await mkdtemp(join(tmpdir(), 'config-kms-'));
  const server = await startKmsServer({ dataDir, port: 0 });
  const kms = new KMSClient({ endpoint: server.url, region: TEST_REGION, credentials: TEST_CREDENTIALS });
  try {
    const { KeyMetadata } = await kms.send(new CreateKeyCommand({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY', Description: 'config signing key' }));
    return {
      url: server.url,
      keyArn: KeyMetadata!.Arn!,
      signs: () => server.callCount('Sign'),
      stop: async () => {
        await server.close();
        await rm(dataDir, { recursive: true, force: true });
      },
    };
  } finally {
    kms.destroy();
  }
}
