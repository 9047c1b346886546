import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DATA_DIR_LOCK_FILE, DataDirInUseError, lockDataDir } from '../../local/data-dir-lock.js';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true })));
function dataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'signed-pay-lock-'));
  dirs.push(dir);
  return dir;
}

/** The pid of a process that has ended: what a crashed npm start leaves in its lock. */
function deadPid(): number {
  return Number(spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout);
}

describe('the local data directory lock', () => {
  it('refuses while its holder lives, naming it, and is free again once released', () => {
    const dir = dataDir();
    const release = lockDataDir(dir, 'npm start');
    expect(() => lockDataDir(dir, 'npm run keys:rotate')).toThrow(DataDirInUseError);
    expect(() => lockDataDir(dir, 'npm run keys:rotate')).toThrow(/in use by npm start \(pid \d+/);
    release();
    expect(existsSync(join(dir, DATA_DIR_LOCK_FILE))).toBe(false);
    lockDataDir(dir, 'npm run keys:rotate')();
  });

  it('takes over a lock whose holder died without releasing it, and leaves nothing aside', () => {
    const dir = dataDir();
    const file = join(dir, DATA_DIR_LOCK_FILE);
    writeFileSync(file, JSON.stringify({ pid: deadPid(), holder: 'npm start', since: '2026-01-01T00:00:00.000Z' }));
    const release = lockDataDir(dir, 'npm run keys:rotate');
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({ pid: process.pid, holder: 'npm run keys:rotate' });
    release();
    expect(existsSync(file)).toBe(false);
  });
});
