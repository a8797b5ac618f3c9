import { basename } from 'node:path'
import type { FileHandle, FileSystem } from '../../src/main/engine/fileSystem'
import { nodeFileSystem } from '../../src/main/engine/nodeFileSystem'

/**
 * CountingFileSystem is the real disk, counting what the engine does with it: files opened
 * and closed, and bytes read per file name (through handles and readFile alike), so tests can
 * say "reads only the new bytes" or "leaves no file open".
 */
export class CountingFileSystem implements FileSystem {
  opened = 0
  closed = 0
  /** Reads done with `readSync` (on the calling thread) rather than `read`. */
  syncReads = 0
  readonly bytesRead = new Map<string, number>()

  constructor(private readonly inner: FileSystem = nodeFileSystem) {}

  /** bytesReadOf sums the bytes read from files whose name passes `test`. */
  bytesReadOf(test: (name: string) => boolean): number {
    let sum = 0
    for (const [name, bytes] of this.bytesRead) if (test(name)) sum += bytes
    return sum
  }

  resetCounts(): void {
    this.bytesRead.clear()
  }

  async open(path: string, mode: 'read' | 'readwrite'): Promise<FileHandle> {
    return this.wrap(path, await this.inner.open(path, mode))
  }

  async create(path: string): Promise<FileHandle> {
    return this.wrap(path, await this.inner.create(path))
  }

  async readFile(path: string): Promise<Buffer> {
    const bytes = await this.inner.readFile(path)
    this.count(path, bytes.length)
    return bytes
  }

  rename(from: string, to: string): Promise<void> {
    return this.inner.rename(from, to)
  }

  unlink(path: string): Promise<void> {
    return this.inner.unlink(path)
  }

  mkdir(path: string): Promise<void> {
    return this.inner.mkdir(path)
  }

  readdir(path: string): Promise<string[] | null> {
    return this.inner.readdir(path)
  }

  size(path: string): Promise<number | null> {
    return this.inner.size(path)
  }

  syncDir(path: string): Promise<void> {
    return this.inner.syncDir(path)
  }

  private count(path: string, bytes: number): void {
    const name = basename(path)
    this.bytesRead.set(name, (this.bytesRead.get(name) ?? 0) + bytes)
  }

  private wrap(path: string, handle: FileHandle): FileHandle {
    this.opened++
    return {
      read: async (buffer, offset, length, position) => {
        const n = await handle.read(buffer, offset, length, position)
        this.count(path, n)
        return n
      },
      ...(handle.readSync && {
        readSync: (buffer: Buffer, offset: number, length: number, position: number) => {
          const n = handle.readSync!(buffer, offset, length, position)
          this.syncReads++
          this.count(path, n)
          return n
        },
      }),
      write: (buffers, position) => handle.write(buffers, position),
      datasync: () => handle.datasync(),
      truncate: (length) => handle.truncate(length),
      size: () => handle.size(),
      close: async () => {
        this.closed++
        await handle.close()
      },
    }
  }
}
