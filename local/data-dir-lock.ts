import { linkSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * One process at a time on a local data directory: `npm start` holds it while the stack runs,
 * `npm run keys:rotate` while it rotates. A rotation under a running stack is not seen by it (it
 * keeps the keys it loaded, and its KMS does not know the new one), so a second rotation before
 * the restart would retire a key the running stack still signs with.
 *
 * The lock is a file naming its holder's pid. A holder that died without releasing it (a crash,
 * SIGKILL) leaves a stale file, which the next taker replaces: only a live holder refuses.
 */
export const DATA_DIR_LOCK_FILE = 'in-use.lock';

interface Holder {
  pid: number;
  holder: string;
  since: string;
}

export class DataDirInUseError extends Error {
  constructor(dataDir: string, file: string, current: Holder) {
    super(
      `${dataDir} is in use by ${current.holder} (pid ${current.pid}, since ${current.since}): stop it first. ` +
        `If no such process is running, delete ${file}.`,
    );
    this.name = 'DataDirInUseError';
  }
}

/** Takes the data directory for `holder` (what the user ran), or throws DataDirInUseError; returns the release. */
export function lockDataDir(dataDir: string, holder: string): () => void {
  const file = join(dataDir, DATA_DIR_LOCK_FILE);
  const mine: Holder = { pid: process.pid, holder, since: new Date().toISOString() };
  // Twice at most: a stale file is removed once, and whoever writes first after that holds it.
  for (let attempt = 0; attempt < 2; attempt += 1) {
    try {
      createWhole(file, `${JSON.stringify(mine)}\n`);
      return () => releaseIfMine(file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const current = holderOf(file);
      if (current && isAlive(current.pid)) throw new DataDirInUseError(dataDir, file, current);
      setAsideStale(file, current);
    }
  }
  const current = holderOf(file);
  throw new DataDirInUseError(dataDir, file, current ?? { pid: Number.NaN, holder: 'another process', since: 'just now' });
}

/**
 * Creates `file` with its whole content at once, or fails with EEXIST: written beside it first,
 * then linked into place (a link, unlike an exclusive open, never shows a half-written lock that
 * another taker would read as stale).
 */
function createWhole(file: string, content: string): void {
  const draft = `${file}.${process.pid}.draft`;
  writeFileSync(draft, content);
  try {
    linkSync(draft, file);
  } finally {
    rmSync(draft, { force: true });
  }
}

/**
 * Removes the stale lock `stale` that was read, and nothing else: two takers may both have read
 * it, and the slower one must not remove the lock the faster one has written since. A rename is
 * atomic, so what was moved aside is checked, and a fresh lock moved by mistake is linked back
 * (a link, unlike a rename, never replaces a lock written meanwhile).
 */
function setAsideStale(file: string, stale: Holder | undefined): void {
  const aside = `${file}.${process.pid}.stale`;
  try {
    renameSync(file, aside);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  const moved = holderOf(aside);
  if (moved && !(stale && moved.pid === stale.pid && moved.since === stale.since)) {
    try {
      linkSync(aside, file);
    } catch {
      // Someone locked it meanwhile: their lock stands; the next attempt reads it.
    }
  }
  rmSync(aside, { force: true });
}

/** For the CLIs: the lock, or the refusal printed and the process ended with `exitCode`. */
export function lockDataDirOrExit(dataDir: string, holder: string, exitCode: number): () => void {
  try {
    return lockDataDir(dataDir, holder);
  } catch (error) {
    if (!(error instanceof DataDirInUseError)) throw error;
    console.error(`Refused: ${error.message}`);
    process.exit(exitCode);
  }
}

function holderOf(file: string): Holder | undefined {
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as Partial<Holder>;
    return typeof parsed.pid === 'number' ? { pid: parsed.pid, holder: String(parsed.holder), since: String(parsed.since) } : undefined;
  } catch {
    // Gone, or unreadable (a crash mid-write): nobody holds it.
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, under another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function releaseIfMine(file: string): void {
  if (holderOf(file)?.pid === process.pid) rmSync(file, { force: true });
}
