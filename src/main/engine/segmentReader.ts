import type { FileSystem } from './fileSystem'
import { isCode } from './fileSystem'
import type { ByteSource } from './byteSource'
import { fileSource } from './byteSource'
import type { RecordAt } from './recordIterator'
import { walkRecords } from './recordIterator'
import { SEGMENT_HEADER_BYTES } from './segmentHeader'
import { openSealedSource } from './sealedSource'
import { CorruptionError } from './errors'

/** SegmentInfo is the store's in-memory view of one segment. */
export interface SegmentInfo {
  segmentNumber: number
  name: string
  sealed: boolean
  firstSequence: number
  /** firstSequence - 1 when the segment is empty. */
  lastSequence: number
  records: number
  /** Size on disk. */
  bytes: number
  /** Uncompressed bytes known complete: readers never read past it. */
  rawBytes: number
  /** Smallest and largest event time, when known (sealed segments): lets queries skip it. */
  minTimeMs?: number
  maxTimeMs?: number
}

/**
 * readSegmentRecords calls `onRecord` for each record of a segment, in order. A raw log is
 * read only up to `rawBytes`, the part known durable, so an append in flight is never seen
 * half-written. A log sealed (and removed) while a reader was on its way to it is read
 * from the sealed file instead.
 */
export async function readSegmentRecords(
  fs: FileSystem,
  dir: string,
  segment: SegmentInfo,
  onRecord: (record: RecordAt) => boolean | void,
): Promise<void> {
  const source = await openSource(fs, dir, segment)
  try {
    const end = await walkRecords(source, SEGMENT_HEADER_BYTES, false, onRecord)
    if (end.kind !== 'end') {
      const reason = end.kind === 'bad' ? end.reason : 'segment ends inside a record'
      throw new CorruptionError(segment.name, end.offset, reason)
    }
  } finally {
    await source.close()
  }
}

async function openSource(fs: FileSystem, dir: string, segment: SegmentInfo): Promise<ByteSource> {
  if (!segment.sealed) {
    try {
      const handle = await fs.open(`${dir}/${segment.name}`, 'read')
      return fileSource(handle, segment.rawBytes)
    } catch (error) {
      if (!isCode(error, 'ENOENT')) throw error
    }
  }
  // Member by member when the manifest allows it, so a sealed segment is never inflated whole.
  return openSealedSource(fs, dir, segment.segmentNumber)
}
