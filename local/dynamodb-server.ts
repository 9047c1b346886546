import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import dynalite from 'dynalite';

export interface RunningDynamoDb {
  url: string;
  close(): Promise<void>;
}

/**
 * dynalite in-process, on LevelDB under `<dataDir>/dynamodb` so data survives a restart.
 * In-process rather than through npx: stopping npx would leave the server running.
 */
export async function startDynamoDb(options: { dataDir: string; port?: number; host?: string }): Promise<RunningDynamoDb> {
  const path = join(options.dataDir, 'dynamodb');
  mkdirSync(path, { recursive: true });
  const server = dynalite({ path, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        // SDK clients keep connections alive; without this, close() waits for them to idle out.
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
