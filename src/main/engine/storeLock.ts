import type { FileSystem } from './fileSystem'
import { isCode } from './fileSystem'
import type { LockHolder } from './errors'
import { StoreLockedError } from './errors'

/**
 * One writer per store, across processes: the writer creates LOCK exclusively and writes
 * who it is. A lock whose holder is a dead process on this host is reclaimed. A holder on
 * another host cannot be checked from here, so that lock is always respected.
 *
 * Limits, stated honestly: a process id reused by an unrelated process makes a stale lock
 * look held (the error names the pid so a person can check and remove LOCK), and two
 * processes reclaiming the same stale lock at the same instant are separated only by the
 * re-read before removal.
 */
export const LOCK_NAME = 'LOCK'

export interface LockOwner {
  pid: number
  host: string
  /** Whether a process on this host is alive (injected by tests). */
  isAlive: (pid: number) => boolean
  nowMs: () => number
}

export async function acquireLock(fs: FileSystem, dir: string, owner: LockOwner): Promise<void> {
  const path = `${dir}/${LOCK_NAME}`
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const handle = await fs.create(path)
      const holder: LockHolder = {
        pid: owner.pid,
        host: owner.host,
        since: new Date(owner.nowMs()).toISOString(),
      }
      try {
        await handle.write([Buffer.from(`${JSON.stringify(holder)}\n`)], 0)
        await handle.datasync()
      } finally {
        await handle.close()
      }
      await fs.syncDir(dir)
      return
    } catch (error) {
      if (!isCode(error, 'EEXIST')) throw error
    }
    const holder = await readHolder(fs, path)
    if (holder && (holder.host !== owner.host || owner.isAlive(holder.pid))) {
      throw new StoreLockedError(dir, holder)
    }
    // The holder is gone (or the lock file is unreadable, a crash while writing it).
    // Re-read right before removing so a lock taken meanwhile by someone else is kept.
    const again = await readHolder(fs, path)
    if (JSON.stringify(again) !== JSON.stringify(holder)) continue
    await fs.unlink(path).catch(() => undefined)
  }
  const holder = await readHolder(fs, path)
  throw new StoreLockedError(dir, holder ?? { pid: 0, host: 'unknown', since: 'unknown' })
}

export async function releaseLock(fs: FileSystem, dir: string): Promise<void> {
  await fs.unlink(`${dir}/${LOCK_NAME}`)
  await fs.syncDir(dir)
}

/** readHolder returns who holds the lock, or null when there is none or it is unreadable. */
export async function readHolder(fs: FileSystem, path: string): Promise<LockHolder | null> {
  try {
    const parsed = JSON.parse((await fs.readFile(path)).toString('utf8')) as Partial<LockHolder>
    if (typeof parsed.pid !== 'number' || typeof parsed.host !== 'string') return null
    return { pid: parsed.pid, host: parsed.host, since: String(parsed.since) }
  } catch {
    return null
  }
}

/** processIsAlive asks the OS whether a pid exists (EPERM means it does, owned by another user). */
export function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return isCode(error, 'EPERM')
  }
}
