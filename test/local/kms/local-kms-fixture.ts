// Starts the local KMS endpoint for a test on its own data directory, with an SDK client pointed at it.
import type { KMSClient } from '@aws-sdk/client-kms';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { kmsClient } from './kms-contract.js';
import { startKmsServer, type RunningKmsServer } from '../../../local/kms/kms-server.js';

export interface LocalKmsFixture {
  dataDir: string;
  server: RunningKmsServer;
  client: KMSClient;
  /** Stops the server; the data directory stays, so a restart can reuse it. */
  stop(): Promise<void>;
  /** Stops the server and removes the data directory. */
  dispose(): Promise<void>;
}

export async function startLocalKms(dataDir?: string): Promise<LocalKmsFixture> {
  const directory = dataDir ?? (await mkdtemp(join(tmpdir(), 'local-kms-')));
  const server = await startKmsServer({ dataDir: directory, port: 0 });
  const client = kmsClient(server.url);
  const stop = async () => {
    client.destroy();
    await server.close();
  };
  return {
    dataDir: directory,
    server,
    client,
    stop,
    async dispose() {
      await stop();
      await rm(directory, { recursive: true, force: true });
    },
  };
}
