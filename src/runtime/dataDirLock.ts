import fs from 'node:fs';
import path from 'node:path';

/**
 * The embedded database may be opened by one process only. The process that owns it writes
 * `$DATA_DIR/duely.lock` and serves the database on a Unix socket in DATA_DIR, so the CLI can
 * use it while `npm start` runs instead of opening (and corrupting) the files itself.
 */
export interface LockInfo {
  pid: number;
  socketDir: string;
  port: number;
}

export const SOCKET_PORT = 5432;
const lockFile = (dataDir: string) => path.join(dataDir, 'duely.lock');

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The running owner of DATA_DIR, if any (a stale lock from a crashed process is ignored). */
export function readLock(dataDir: string): LockInfo | null {
  try {
    const info = JSON.parse(fs.readFileSync(lockFile(dataDir), 'utf8')) as LockInfo;
    if (info.pid !== process.pid && alive(info.pid)) return info;
    return null;
  } catch {
    return null;
  }
}

export class DataDirBusyError extends Error {}

/** Take the lock or throw naming the process that holds it. */
export function acquireLock(dataDir: string): LockInfo {
  fs.mkdirSync(dataDir, { recursive: true });
  const held = readLock(dataDir);
  if (held)
    throw new DataDirBusyError(
      `DATA_DIR ${dataDir} is in use by process ${held.pid}; stop it or use another DATA_DIR`,
    );
  const info: LockInfo = { pid: process.pid, socketDir: path.resolve(dataDir), port: SOCKET_PORT };
  fs.writeFileSync(lockFile(dataDir), JSON.stringify(info));
  return info;
}

export function releaseLock(dataDir: string): void {
  try {
    const info = JSON.parse(fs.readFileSync(lockFile(dataDir), 'utf8')) as LockInfo;
    if (info.pid === process.pid) fs.unlinkSync(lockFile(dataDir));
  } catch {
    /* already gone */
  }
}

export const socketPath = (info: LockInfo) => path.join(info.socketDir, `.s.PGSQL.${info.port}`);
export const socketUrl = (info: LockInfo) =>
  `postgres://postgres@localhost/postgres?host=${encodeURIComponent(info.socketDir)}&port=${info.port}`;
