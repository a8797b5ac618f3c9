import type { FileHandle } from './fileSystem'
import { readRange } from './fileSystem'

/**
 * ByteSource is the uncompressed bytes of one segment, however they are stored: a raw log
 * read through a file handle, or a sealed segment already inflated into memory.
 */
export interface ByteSource {
  readonly size: number
  read(position: number, length: number): Promise<Buffer>
  close(): Promise<void>
}

export function bufferSource(bytes: Buffer): ByteSource {
  return {
    size: bytes.length,
    read: (position, length) =>
      Promise.resolve(bytes.subarray(position, Math.min(bytes.length, position + length))),
    close: () => Promise.resolve(),
  }
}

/** fileSource reads a file up to `size`, the length known to be complete. */
export function fileSource(handle: FileHandle, size: number): ByteSource {
  return {
    size,
    read: (position, length) =>
      readRange(handle, position, Math.max(0, Math.min(length, size - position))),
    close: () => handle.close(),
  }
}
