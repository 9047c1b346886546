// Whole-file writes that a crash cannot tear: the data goes to a temporary file in the same directory,
// is flushed to disk, then renamed over the target. rename() within one file system is atomic, so a reader
// (or the next start) sees either the old file or the new one, never half of one.
import { randomUUID } from 'node:crypto';
import { open, rename, rm } from 'node:fs/promises';

/** Temporary files end with this, so a start after a crash can recognise and remove leftovers. */
export const TEMPORARY_SUFFIX = '.tmp';

export async function writeFileAtomically(path: string, data: string, mode = 0o600): Promise<void> {
  const temporaryPath = `${path}.${randomUUID()}${TEMPORARY_SUFFIX}`;
  try {
    const handle = await open(temporaryPath, 'wx', mode);
    try {
      await handle.writeFile(data, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temporaryPath, path);
  } catch (error) {
    await rm(temporaryPath, { force: true });
    throw error;
  }
}
