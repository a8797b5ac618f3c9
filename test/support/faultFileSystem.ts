import type { FileHandle, FileSystem } from '../../src/main/engine/fileSystem'

/**
 * FaultFileSystem is an in-memory disk that remembers what a power loss would keep, so crash
 * tests can check the engine against the durability contract in fileSystem.ts rather than
 * against whatever the host's page cache happens to do.
 *
 * The model: names map to inodes, and every inode keeps two states. A file has `current`
 * bytes (what readers see) and `durable` bytes (what is on the platter); only `datasync()`
 * copies one to the other. A directory has `current` and `durable` entries; only
 * `syncDir()` of that directory copies one to the other. A directory is itself an entry of
 * its parent, so `mkdir` is durable only after `syncDir()` of the parent. Handles point at
 * inodes, so they keep working after their name is renamed or unlinked, as on POSIX.
 */

/** FailableOperation is a call that `failNext` can make fail. */
export type FailableOperation = 'write' | 'datasync' | 'create' | 'rename' | 'syncDir' | 'truncate'
/** Operation names the counters in `calls`; a handle's `size()` counts as `size`. */
export type Operation =
  | FailableOperation
  | 'open'
  | 'readFile'
  | 'unlink'
  | 'mkdir'
  | 'readdir'
  | 'size'
  | 'read'
  | 'close'
export type InjectedError = 'EIO' | 'ENOSPC'

export interface PowerLossOptions {
  /**
   * tornTail models a write that was cut off: for a file whose current bytes extend its
   * durable bytes, it gets the unsynced tail and returns the prefix of it that reached the
   * platter. Without it, every unsynced byte is lost.
   */
  tornTail?: (unsyncedBytes: Buffer) => Buffer
}

interface FileInode {
  kind: 'file'
  current: Bytes
  durable: Bytes
  /** Lowest offset changed since the last datasync (Infinity when clean). */
  dirtyFrom: number
}
interface DirInode {
  kind: 'dir'
  current: Map<string, Inode>
  durable: Map<string, Inode>
}
type Inode = FileInode | DirInode

interface FailRule {
  op: FailableOperation
  error: InjectedError
  pathIncludes: string | undefined
  after: number
}

export class FaultFileSystem implements FileSystem {
  /** calls counts every call made, including those that failed. */
  readonly calls: Record<Operation, number> = {
    write: 0,
    datasync: 0,
    create: 0,
    rename: 0,
    syncDir: 0,
    truncate: 0,
    open: 0,
    readFile: 0,
    unlink: 0,
    mkdir: 0,
    readdir: 0,
    size: 0,
    read: 0,
    close: 0,
  }
  private root: DirInode = newDir()
  private rules: FailRule[] = []
  private midway: (string | undefined)[] = []
  private off = false

  /** `dirs` exist before the test starts, already durable (as if made long ago). */
  constructor(options: { dirs?: readonly string[] } = {}) {
    for (const path of options.dirs ?? []) this.makeDirs(path, 'durable')
  }

  /** failNext makes the next matching call throw `error`, after letting `after` of them pass. */
  failNext(
    op: FailableOperation,
    error: InjectedError,
    options: { pathIncludes?: string; after?: number } = {},
  ): void {
    this.live()
    this.rules.push({ op, error, pathIncludes: options.pathIncludes, after: options.after ?? 0 })
  }

  /** failWriteMidway makes the next matching write apply only its first half, then throw EIO. */
  failWriteMidway(options: { pathIncludes?: string } = {}): void {
    this.live()
    this.midway.push(options.pathIncludes)
  }

  /**
   * powerLoss returns the machine after a reboot: a new FaultFileSystem holding only the
   * durable namespace and bytes of this one. This instance then refuses every call, so a
   * writer that is still running cannot touch the "rebooted" disk by mistake.
   */
  powerLoss(options: PowerLossOptions = {}): FaultFileSystem {
    this.live()
    // One copy per inode, so two durable names for one inode (a rename whose source
    // directory was not synced) stay one file, like a hard link.
    const copies = new Map<Inode, Inode>()
    const survive = (inode: Inode): Inode => {
      const known = copies.get(inode)
      if (known) return known
      if (inode.kind === 'file') {
        const bytes = Buffer.concat([inode.durable.view(), keptTail(inode, options.tornTail)])
        const copy = newFile(bytes)
        copies.set(inode, copy)
        return copy
      }
      const copy = newDir()
      copies.set(inode, copy)
      for (const [name, child] of inode.durable) copy.current.set(name, survive(child))
      copy.durable = new Map(copy.current)
      return copy
    }
    const next = new FaultFileSystem()
    next.root = survive(this.root) as DirInode
    this.off = true
    return next
  }

  /** snapshot is every file's current bytes, by path. */
  snapshot(): Map<string, Buffer> {
    return this.files('current')
  }

  /** durableSnapshot is what powerLoss() without a torn tail would keep, by path. */
  durableSnapshot(): Map<string, Buffer> {
    return this.files('durable')
  }

  async open(path: string, mode: 'read' | 'readwrite'): Promise<FileHandle> {
    this.enter('open')
    return this.handle(this.file(path, 'open'), mode, path)
  }

  async create(path: string): Promise<FileHandle> {
    this.enter('create')
    this.injected('create', [path])
    const { dir, name } = this.parent(path, 'create')
    if (dir.current.has(name)) throw errno('EEXIST', 'create', path)
    const inode = newFile(Buffer.alloc(0))
    dir.current.set(name, inode)
    return this.handle(inode, 'readwrite', path)
  }

  async readFile(path: string): Promise<Buffer> {
    this.enter('readFile')
    return Buffer.from(this.file(path, 'readFile').current.view())
  }

  async rename(from: string, to: string): Promise<void> {
    this.enter('rename')
    this.injected('rename', [from, to])
    const source = this.parent(from, 'rename')
    const inode = source.dir.current.get(source.name)
    if (!inode) throw errno('ENOENT', 'rename', from)
    const target = this.parent(to, 'rename')
    const replaced = target.dir.current.get(target.name)
    if (replaced === inode) return
    if (replaced?.kind === 'dir') throw errno('EISDIR', 'rename', to)
    if (replaced && inode.kind === 'dir') throw errno('ENOTDIR', 'rename', to)
    source.dir.current.delete(source.name)
    target.dir.current.set(target.name, inode)
  }

  async unlink(path: string): Promise<void> {
    this.enter('unlink')
    const { dir, name } = this.parent(path, 'unlink')
    const inode = dir.current.get(name)
    if (!inode) throw errno('ENOENT', 'unlink', path)
    if (inode.kind === 'dir') throw errno('EISDIR', 'unlink', path)
    dir.current.delete(name)
  }

  async mkdir(path: string): Promise<void> {
    this.enter('mkdir')
    this.makeDirs(path, 'current')
  }

  async readdir(path: string): Promise<string[] | null> {
    this.enter('readdir')
    const inode = this.lookup(path)
    if (!inode) return null
    if (inode.kind !== 'dir') throw errno('ENOTDIR', 'readdir', path)
    return [...inode.current.keys()].sort()
  }

  async size(path: string): Promise<number | null> {
    this.enter('size')
    const inode = this.lookup(path)
    if (!inode) return null
    if (inode.kind !== 'file') throw errno('EISDIR', 'size', path)
    return inode.current.length
  }

  async syncDir(path: string): Promise<void> {
    this.enter('syncDir')
    this.injected('syncDir', [path])
    const inode = this.lookup(path)
    if (!inode) throw errno('ENOENT', 'syncDir', path)
    // The real syncDir opens the path and fsyncs it, which on a file syncs its bytes.
    if (inode.kind === 'file') syncFile(inode)
    else inode.durable = new Map(inode.current)
  }

  /** handle is a closure, not a class, so it can reach this instance's private state. */
  private handle(inode: FileInode, mode: 'read' | 'readwrite', path: string): FileHandle {
    let closed = false
    const enter = (op: Operation, writes: boolean): void => {
      this.enter(op)
      if (closed || (writes && mode === 'read')) throw errno('EBADF', op, path)
    }
    const read = (buffer: Buffer, offset: number, length: number, position: number): number => {
      enter('read', false)
      if (position >= inode.current.length) return 0
      const end = Math.min(inode.current.length, position + length)
      return inode.current.view().copy(buffer, offset, position, end)
    }
    return {
      read: async (buffer, offset, length, position) => read(buffer, offset, length, position),
      readSync: read,
      write: async (buffers, position) => {
        enter('write', true)
        this.injected('write', [path])
        const bytes = Buffer.concat(buffers)
        const midway = this.midway.findIndex((wanted) => includes(wanted, [path]))
        const length = midway < 0 ? bytes.length : Math.max(1, Math.floor(bytes.length / 2))
        inode.dirtyFrom = Math.min(inode.dirtyFrom, position)
        inode.current.writeAt(position, bytes.subarray(0, length))
        if (midway >= 0) {
          this.midway.splice(midway, 1)
          throw errno('EIO', 'write', path)
        }
      },
      datasync: async () => {
        enter('datasync', false)
        this.injected('datasync', [path])
        syncFile(inode)
      },
      truncate: async (length) => {
        enter('truncate', true)
        this.injected('truncate', [path])
        inode.dirtyFrom = Math.min(inode.dirtyFrom, length, inode.current.length)
        inode.current.resize(length)
      },
      size: async () => {
        enter('size', false)
        return inode.current.length
      },
      close: async () => {
        enter('close', false)
        closed = true
      },
    }
  }

  private live(): void {
    if (this.off) {
      throw new Error('FaultFileSystem: this machine lost power; use the one powerLoss() returned')
    }
  }

  private enter(op: Operation): void {
    this.live()
    this.calls[op] += 1
  }

  /** injected throws when a failNext rule is due; rules are checked in the order added. */
  private injected(op: FailableOperation, paths: readonly string[]): void {
    const matching = this.rules.filter((r) => r.op === op && includes(r.pathIncludes, paths))
    const due = matching.find((rule) => rule.after === 0)
    if (due) {
      this.rules.splice(this.rules.indexOf(due), 1)
      throw errno(due.error, op, paths[0])
    }
    for (const rule of matching) rule.after -= 1
  }

  /** makeDirs is `mkdir -p`; with 'durable' it also writes each entry as if dir-synced. */
  private makeDirs(path: string, upTo: 'current' | 'durable'): void {
    const names = parts(path)
    let dir = this.root
    for (const [index, name] of names.entries()) {
      const child = dir.current.get(name) ?? newDir()
      if (child.kind !== 'dir') {
        throw errno(index === names.length - 1 ? 'EEXIST' : 'ENOTDIR', 'mkdir', path)
      }
      dir.current.set(name, child)
      if (upTo === 'durable') dir.durable.set(name, child)
      dir = child
    }
  }

  private lookup(path: string): Inode | undefined {
    let inode: Inode | undefined = this.root
    for (const name of parts(path)) {
      inode = inode?.kind === 'dir' ? inode.current.get(name) : undefined
    }
    return inode
  }

  private file(path: string, op: Operation): FileInode {
    const inode = this.lookup(path)
    if (!inode) throw errno('ENOENT', op, path)
    if (inode.kind !== 'file') throw errno('EISDIR', op, path)
    return inode
  }

  private parent(path: string, op: Operation): { dir: DirInode; name: string } {
    const names = parts(path)
    const name = names.pop()
    if (name === undefined) throw errno('EISDIR', op, path)
    const dir = this.lookup(names.join('/'))
    if (!dir) throw errno('ENOENT', op, path)
    if (dir.kind !== 'dir') throw errno('ENOTDIR', op, path)
    return { dir, name }
  }

  private files(side: 'current' | 'durable'): Map<string, Buffer> {
    this.live()
    const out = new Map<string, Buffer>()
    const visit = (dir: DirInode, prefix: string): void => {
      for (const name of [...dir[side].keys()].sort()) {
        const inode = dir[side].get(name)
        if (inode?.kind === 'file') out.set(`${prefix}/${name}`, Buffer.from(inode[side].view()))
        else if (inode) visit(inode, `${prefix}/${name}`)
      }
    }
    visit(this.root, '')
    return out
  }
}

/** Bytes is a growable buffer, so appending record after record is not quadratic. */
class Bytes {
  private buffer = Buffer.alloc(0)
  length = 0

  view(): Buffer {
    return this.buffer.subarray(0, this.length)
  }

  /** resize shrinks, or grows with zeros, like ftruncate. */
  resize(length: number): void {
    if (length > this.buffer.length) {
      const grown = Buffer.alloc(Math.max(length, this.buffer.length * 2))
      this.buffer.copy(grown, 0, 0, this.length)
      this.buffer = grown
    } else if (length > this.length) {
      this.buffer.fill(0, this.length, length)
    }
    this.length = length
  }

  /** writeAt zero-fills any gap between the end and `position`, like pwrite. */
  writeAt(position: number, bytes: Buffer): void {
    if (position + bytes.length > this.length) this.resize(position + bytes.length)
    bytes.copy(this.buffer, position)
  }
}

function newFile(bytes: Buffer): FileInode {
  const current = new Bytes()
  const durable = new Bytes()
  current.writeAt(0, bytes)
  durable.writeAt(0, bytes)
  return { kind: 'file', current, durable, dirtyFrom: Infinity }
}

function newDir(): DirInode {
  return { kind: 'dir', current: new Map(), durable: new Map() }
}

/** syncFile copies only what changed since the last sync, so frequent syncs stay cheap. */
function syncFile(inode: FileInode): void {
  // Bytes before `from` are the same in both states: nothing touched them since the last sync.
  const from = Math.min(inode.dirtyFrom, inode.current.length, inode.durable.length)
  inode.durable.resize(from)
  inode.durable.writeAt(from, inode.current.view().subarray(from))
  inode.dirtyFrom = Infinity
}

/** keptTail is the part of a file's unsynced tail that a torn write left on the platter. */
function keptTail(inode: FileInode, tornTail: PowerLossOptions['tornTail']): Buffer {
  const durable = inode.durable.view()
  const current = inode.current.view()
  const appended =
    current.length > durable.length && current.subarray(0, durable.length).equals(durable)
  if (!tornTail || !appended) return Buffer.alloc(0)
  const unsynced = Buffer.from(current.subarray(durable.length))
  const kept = Buffer.from(tornTail(Buffer.from(unsynced)))
  if (!unsynced.subarray(0, kept.length).equals(kept) || kept.length > unsynced.length) {
    throw new Error('FaultFileSystem: tornTail must return a prefix of the bytes it was given')
  }
  return kept
}

/** parts normalizes a POSIX path into names: empty and '.' parts drop, '..' goes up. */
function parts(path: string): string[] {
  const names: string[] = []
  for (const part of path.split('/')) {
    if (part === '..') names.pop()
    else if (part !== '' && part !== '.') names.push(part)
  }
  return names
}

function includes(wanted: string | undefined, paths: readonly string[]): boolean {
  return wanted === undefined || paths.some((path) => path.includes(wanted))
}

type ErrorCode = InjectedError | 'ENOENT' | 'EEXIST' | 'EISDIR' | 'ENOTDIR' | 'EBADF'

const MESSAGES: Record<ErrorCode, string> = {
  EIO: 'i/o error',
  ENOSPC: 'no space left on device',
  ENOENT: 'no such file or directory',
  EEXIST: 'file already exists',
  EISDIR: 'illegal operation on a directory',
  ENOTDIR: 'not a directory',
  EBADF: 'bad file descriptor',
}

/** errno builds an error shaped like Node's, so `isCode()` and logs treat it the same. */
function errno(code: ErrorCode, syscall: string, path: string | undefined): NodeJS.ErrnoException {
  const where = path === undefined ? '' : ` '${path}'`
  const error: NodeJS.ErrnoException = new Error(`${code}: ${MESSAGES[code]}, ${syscall}${where}`)
  error.code = code
  error.syscall = syscall
  if (path !== undefined) error.path = path
  return error
}
