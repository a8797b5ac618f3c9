import type { FileHandle, FileSystem } from './fileSystem'

interface Entry {
  /** The opening handle, shared by the reads that ask while it opens. */
  handle: Promise<FileHandle>
  users: number
  /** Out of the cache: closed once its last user is done. */
  retired: boolean
}

/**
 * FileHandles keeps read handles of files whose written bytes never change (sealed segments,
 * their index files, the append-only active segment) open between reads, so a point read
 * costs one read instead of an open, a read and a close. At most `max` stay open; the least recently used idle one is
 * closed first. A handle in use is never closed under its reader: one evicted or forgotten
 * while in use closes when its last reader is done.
 *
 * A file replaced under the same name (a segment sealed again, a rebuilt index) must be
 * `forget`-ten by whoever replaces it, or reads would go on seeing the old file.
 */
export class FileHandles {
  private readonly entries = new Map<string, Entry>()
  private closed = false

  constructor(
    private readonly fs: FileSystem,
    private readonly max: number,
  ) {}

  /** Number of handles open or opening now (tests). */
  get size(): number {
    return this.entries.size
  }

  /** use runs `read` with an open read handle of `path`. */
  async use<T>(path: string, read: (handle: FileHandle) => Promise<T>): Promise<T> {
    // Once closed nothing is kept: a read racing the store's close still gets its file.
    if (this.closed) return this.once(path, read)
    let entry = this.entries.get(path)
    if (entry) {
      this.entries.delete(path)
      this.entries.set(path, entry)
    } else {
      entry = { handle: this.fs.open(path, 'read'), users: 0, retired: false }
      this.entries.set(path, entry)
      this.evict()
    }
    entry.users++
    let handle: FileHandle
    try {
      handle = await entry.handle
    } catch (error) {
      entry.users--
      if (this.entries.get(path) === entry) this.entries.delete(path)
      throw error
    }
    try {
      return await read(handle)
    } finally {
      entry.users--
      if (entry.retired && entry.users === 0) await handle.close()
    }
  }

  private async once<T>(path: string, read: (handle: FileHandle) => Promise<T>): Promise<T> {
    const handle = await this.fs.open(path, 'read')
    try {
      return await read(handle)
    } finally {
      await handle.close()
    }
  }

  /** forget closes the handle of `path` (the file was replaced or removed). */
  async forget(path: string): Promise<void> {
    const entry = this.entries.get(path)
    if (!entry) return
    this.entries.delete(path)
    await this.retire(entry)
  }

  /** close closes every handle (those in use once their reads are done). */
  async close(): Promise<void> {
    this.closed = true
    const entries = [...this.entries.values()]
    this.entries.clear()
    await Promise.all(entries.map((entry) => this.retire(entry)))
  }

  private evict(): void {
    for (const [path, entry] of this.entries) {
      if (this.entries.size <= this.max) break
      this.entries.delete(path)
      void this.retire(entry)
    }
  }

  private async retire(entry: Entry): Promise<void> {
    entry.retired = true
    if (entry.users > 0) return
    // A read handle that failed to open, or to close, holds nothing worth reporting.
    const handle = await entry.handle.catch(() => null)
    await handle?.close().catch(() => undefined)
  }
}
