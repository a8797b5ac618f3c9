/**
 * FileSystem is the engine's only door to the disk. The engine never calls `fs` directly,
 * so tests can swap in a layer that injects short writes, EIO/ENOSPC and power loss.
 *
 * Durability contract, which every implementation must honour:
 * - bytes written to a file survive a power loss only after `datasync()` returns;
 * - a created, renamed or removed directory entry survives only after `syncDir()` of its
 *   directory returns.
 */
export interface FileSystem {
  /** Opens an existing file for reading, or for reading and writing. */
  open(path: string, mode: 'read' | 'readwrite'): Promise<FileHandle>
  /** Creates a new file; fails with EEXIST when it is already there. */
  create(path: string): Promise<FileHandle>
  readFile(path: string): Promise<Buffer>
  rename(from: string, to: string): Promise<void>
  unlink(path: string): Promise<void>
  mkdir(path: string): Promise<void>
  /** Names in a directory, or null when it does not exist. */
  readdir(path: string): Promise<string[] | null>
  /** Size of a file, or null when it does not exist. */
  size(path: string): Promise<number | null>
  syncDir(path: string): Promise<void>
}

export interface FileHandle {
  /** Reads up to `length` bytes at `position`; returns how many were read (0 at the end). */
  read(buffer: Buffer, offset: number, length: number, position: number): Promise<number>
  /**
   * `read` on the calling thread, blocking it until the bytes are there. Optional: only
   * point reads use it, through SmallReads (smallReads.ts), which says when it pays.
   */
  readSync?(buffer: Buffer, offset: number, length: number, position: number): number
  /** Writes every byte of `buffers` at `position`, or throws. */
  write(buffers: readonly Buffer[], position: number): Promise<void>
  datasync(): Promise<void>
  /**
   * Writes every byte of `buffers` at `position` and returns once they are durable, as
   * `write` then `datasync` would, but in one step that a disk can do in one call (the
   * append log's group commit). Optional: without it, writeAndSync makes the two calls.
   */
  writeSynced?(buffers: readonly Buffer[], position: number): Promise<void>
  truncate(length: number): Promise<void>
  size(): Promise<number>
  close(): Promise<void>
}

/** writeFileDurably makes `path` appear whole or not at all: temp, fsync, rename, fsync dir. */
export async function writeFileDurably(
  fs: FileSystem,
  dir: string,
  name: string,
  bytes: Buffer,
): Promise<void> {
  await writeTempFile(fs, dir, name, bytes)
  await fs.rename(`${dir}/${name}.tmp`, `${dir}/${name}`)
  await fs.syncDir(dir)
}

/**
 * writeTempFile writes `name.tmp` in `dir` and fsyncs it; renaming it into place (and
 * syncing the directory) is the caller's, so several files can appear in a chosen order.
 */
export async function writeTempFile(
  fs: FileSystem,
  dir: string,
  name: string,
  bytes: Buffer,
): Promise<void> {
  const temp = `${dir}/${name}.tmp`
  await fs.unlink(temp).catch(ignoreMissing)
  const handle = await fs.create(temp)
  try {
    await handle.write([bytes], 0)
    await handle.datasync()
  } finally {
    await handle.close()
  }
}

/**
 * writeAndSync writes `buffers` at `position` and returns once they are durable: with the
 * handle's writeSynced when it has one, else with write then datasync.
 */
export async function writeAndSync(
  handle: FileHandle,
  buffers: readonly Buffer[],
  position: number,
): Promise<void> {
  if (handle.writeSynced) return handle.writeSynced(buffers, position)
  await handle.write(buffers, position)
  await handle.datasync()
}

/** readRange reads `length` bytes at `position`, or fewer where the file ends sooner. */
export async function readRange(
  handle: FileHandle,
  position: number,
  length: number,
): Promise<Buffer> {
  const buffer = Buffer.allocUnsafe(length)
  let done = 0
  while (done < length) {
    const n = await handle.read(buffer, done, length - done, position + done)
    if (n === 0) break
    done += n
  }
  return done === length ? buffer : buffer.subarray(0, done)
}

/** readRangeSync is readRange on the calling thread, with a handle's `readSync`. */
export function readRangeSync(
  readSync: NonNullable<FileHandle['readSync']>,
  position: number,
  length: number,
): Buffer {
  const buffer = Buffer.allocUnsafe(length)
  let done = 0
  while (done < length) {
    const n = readSync(buffer, done, length - done, position + done)
    if (n === 0) break
    done += n
  }
  return done === length ? buffer : buffer.subarray(0, done)
}

export function ignoreMissing(error: unknown): void {
  if (!isCode(error, 'ENOENT')) throw error
}

export function isCode(error: unknown, code: string): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === code
}
