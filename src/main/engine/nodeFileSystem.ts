import * as fs from 'node:fs'
import { assert } from './errors'
import type { FileHandle, FileSystem } from './fileSystem'

/** O_DSYNC where the platform has one (Windows has not): each write returns durable. */
const O_DSYNC: number | undefined = fs.constants.O_DSYNC

/**
 * nodeFileSystem is the real disk. It uses raw descriptors and the callback API, which
 * costs less per call than fs.promises on the append path.
 */
export const nodeFileSystem: FileSystem = {
  async open(path, mode) {
    const fd = await call<number>((cb) => fs.open(path, mode === 'read' ? 'r' : 'r+', cb))
    return new NodeFileHandle(fd, path, mode === 'readwrite')
  },
  async create(path) {
    const fd = await call<number>((cb) => fs.open(path, 'wx+', 0o644, cb))
    return new NodeFileHandle(fd, path, true)
  },
  readFile: (path) => fs.promises.readFile(path),
  rename: (from, to) => fs.promises.rename(from, to),
  unlink: (path) => fs.promises.unlink(path),
  async mkdir(path) {
    await fs.promises.mkdir(path, { recursive: true })
  },
  async readdir(path) {
    try {
      return await fs.promises.readdir(path)
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null
      throw error
    }
  },
  async size(path) {
    try {
      return (await fs.promises.stat(path)).size
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null
      throw error
    }
  },
  async syncDir(path) {
    const fd = await call<number>((cb) => fs.open(path, 'r', cb))
    try {
      await call<void>((cb) => fs.fsync(fd, cb))
    } finally {
      await call<void>((cb) => fs.close(fd, cb))
    }
  },
}

class NodeFileHandle implements FileHandle {
  /** A second descriptor on this file, opened with O_DSYNC by the first writeSynced. */
  private synced: Promise<number> | null = null

  constructor(
    private readonly fd: number,
    private readonly path: string,
    private readonly writable: boolean,
  ) {}

  read(buffer: Buffer, offset: number, length: number, position: number): Promise<number> {
    return call<number>((cb) => fs.read(this.fd, buffer, offset, length, position, cb))
  }

  readSync(buffer: Buffer, offset: number, length: number, position: number): number {
    return fs.readSync(this.fd, buffer, offset, length, position)
  }

  write(buffers: readonly Buffer[], position: number): Promise<void> {
    return writeAll(this.fd, buffers, position)
  }

  datasync(): Promise<void> {
    return call<void>((cb) => fs.fdatasync(this.fd, cb))
  }

  /**
   * writeSynced writes through a descriptor opened with O_DSYNC: the kernel writes and syncs
   * in one call, one trip to the thread pool where write then fdatasync take two, and the
   * second no longer waits for a busy event loop to see the first finish. The durability
   * is fdatasync's: the bytes, and the size needed to read them back.
   */
  async writeSynced(buffers: readonly Buffer[], position: number): Promise<void> {
    assert(this.writable, `writeSynced on ${this.path}, which was opened for reading`)
    if (O_DSYNC === undefined) {
      await this.write(buffers, position)
      return this.datasync()
    }
    await writeAll(await (this.synced ??= this.openSynced(O_DSYNC)), buffers, position)
  }

  truncate(length: number): Promise<void> {
    return call<void>((cb) => fs.ftruncate(this.fd, length, cb))
  }

  async size(): Promise<number> {
    return (await fstat(this.fd)).size
  }

  async close(): Promise<void> {
    const synced = this.synced
    this.synced = null
    try {
      await call<void>((cb) => fs.close(this.fd, cb))
    } finally {
      // A failed open was reported to the write that made it; then there is nothing to close.
      const fd = await synced?.catch(() => null)
      if (fd !== undefined && fd !== null) await call<void>((cb) => fs.close(fd, cb))
    }
  }

  /** openSynced opens the path again, and refuses when it names another file by now. */
  private async openSynced(flag: number): Promise<number> {
    const fd = await call<number>((cb) => fs.open(this.path, fs.constants.O_WRONLY | flag, cb))
    const [mine, opened] = await Promise.all([fstat(this.fd), fstat(fd)])
    if (mine.dev !== opened.dev || mine.ino !== opened.ino) {
      await call<void>((cb) => fs.close(fd, cb))
      throw new Error(`${this.path} was replaced since it was opened; not writing to the new file`)
    }
    return fd
  }
}

/** writeAll writes every byte: writev may write fewer than asked, so it goes on from there. */
async function writeAll(fd: number, buffers: readonly Buffer[], position: number): Promise<void> {
  let pending = buffers.filter((b) => b.length > 0)
  let at = position
  while (pending.length > 0) {
    const written = await call<number>((cb) => fs.writev(fd, pending, at, cb))
    at += written
    pending = dropBytes(pending, written)
  }
}

function fstat(fd: number): Promise<fs.Stats> {
  return call<fs.Stats>((cb) => fs.fstat(fd, cb))
}

function dropBytes(buffers: Buffer[], count: number): Buffer[] {
  let left = count
  const rest: Buffer[] = []
  for (const buffer of buffers) {
    if (left >= buffer.length) {
      left -= buffer.length
      continue
    }
    rest.push(left > 0 ? buffer.subarray(left) : buffer)
    left = 0
  }
  return rest
}

function call<T>(start: (cb: (error: NodeJS.ErrnoException | null, value: T) => void) => void) {
  return new Promise<T>((resolve, reject) => {
    start((error, value) => (error ? reject(error) : resolve(value)))
  })
}
