import * as fs from 'node:fs'
import type { FileHandle, FileSystem } from './fileSystem'

/**
 * nodeFileSystem is the real disk. It uses raw descriptors and the callback API, which
 * costs less per call than fs.promises on the append path.
 */
export const nodeFileSystem: FileSystem = {
  async open(path, mode) {
    const fd = await call<number>((cb) => fs.open(path, mode === 'read' ? 'r' : 'r+', cb))
    return new NodeFileHandle(fd)
  },
  async create(path) {
    const fd = await call<number>((cb) => fs.open(path, 'wx+', 0o644, cb))
    return new NodeFileHandle(fd)
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
  constructor(private readonly fd: number) {}

  read(buffer: Buffer, offset: number, length: number, position: number): Promise<number> {
    return call<number>((cb) => fs.read(this.fd, buffer, offset, length, position, cb))
  }

  async write(buffers: readonly Buffer[], position: number): Promise<void> {
    let pending = buffers.filter((b) => b.length > 0)
    let at = position
    // writev may write fewer bytes than asked (a short write); continue where it stopped.
    while (pending.length > 0) {
      const written = await call<number>((cb) => fs.writev(this.fd, pending, at, cb))
      at += written
      pending = dropBytes(pending, written)
    }
  }

  datasync(): Promise<void> {
    return call<void>((cb) => fs.fdatasync(this.fd, cb))
  }

  truncate(length: number): Promise<void> {
    return call<void>((cb) => fs.ftruncate(this.fd, length, cb))
  }

  async size(): Promise<number> {
    return (await call<fs.Stats>((cb) => fs.fstat(this.fd, cb))).size
  }

  close(): Promise<void> {
    return call<void>((cb) => fs.close(this.fd, cb))
  }
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
