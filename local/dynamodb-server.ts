import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import dynalite from 'dynalite';
import { type Listening, listen } from './listen.js';

export type RunningDynamoDb = Listening;

/**
 * dynalite in-process, on LevelDB under `<dataDir>/dynamodb` so data survives a restart.
 * In-process rather than through npx: stopping npx would leave the server running.
 */
export async function startDynamoDb(options: { dataDir: string; port?: number; host?: string }): Promise<RunningDynamoDb> {
  const path = join(options.dataDir, 'dynamodb');
  mkdirSync(path, { recursive: true });
  const server = dynalite({ path, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  return listen(server, options.port, options.host);
}
