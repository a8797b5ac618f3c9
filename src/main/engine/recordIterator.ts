import type { ByteSource } from './byteSource'
import type { RecordHeader } from './recordCodec'
import { readRecord } from './recordCodec'
import { EVENT_BYTES_MAX, READ_CHUNK_BYTES } from './limits'

/** A record as read from a segment, with its byte offset in the uncompressed segment. */
export interface RecordAt {
  offset: number
  header: RecordHeader
  payload: Buffer
  end: number
}

/** How a walk over a segment's records ended. */
export type RecordWalkEnd =
  | { kind: 'end'; offset: number }
  | { kind: 'incomplete'; offset: number }
  | { kind: 'bad'; offset: number; reason: string }

/**
 * walkRecords reads records from `start` in chunks, calling `onRecord` for each one, and
 * says how the walk ended: at the exact end of the bytes, inside an unfinished record, or
 * at a record that is not valid.
 */
export async function walkRecords(
  source: ByteSource,
  start: number,
  checkDigest: boolean,
  onRecord: (record: RecordAt) => boolean | void,
): Promise<RecordWalkEnd> {
  let windowStart = start
  let window = await source.read(start, READ_CHUNK_BYTES)
  let at = 0
  for (;;) {
    if (windowStart + at === source.size) return { kind: 'end', offset: source.size }
    const read = readRecord(window, at, { checkDigest, payloadLengthMax: EVENT_BYTES_MAX })
    if (read.kind === 'bad') return { kind: 'bad', offset: windowStart + at, reason: read.reason }
    if (read.kind === 'incomplete') {
      const offset = windowStart + at
      const have = window.length - at
      if (offset + have >= source.size) return { kind: 'incomplete', offset }
      const more = await source.read(
        offset + have,
        Math.max(READ_CHUNK_BYTES, read.needBytes - have),
      )
      if (more.length === 0) return { kind: 'incomplete', offset }
      window = Buffer.concat([window.subarray(at), more])
      windowStart = offset
      at = 0
      continue
    }
    const stop = onRecord({
      offset: windowStart + at,
      header: read.header,
      payload: read.payload,
      end: windowStart + read.end,
    })
    if (stop === true) return { kind: 'end', offset: windowStart + read.end }
    at = read.end
  }
}

/**
 * findValidRecordAfter looks for any intact record (valid header checksum and SHA-256)
 * starting after `offset`. Finding one means the damage at `offset` is not a torn tail.
 */
export async function findValidRecordAfter(
  source: ByteSource,
  offset: number,
): Promise<number | null> {
  const rest = await source.read(offset + 1, source.size - offset - 1)
  const magic = Buffer.from('LHEV', 'ascii')
  for (let at = rest.indexOf(magic); at >= 0; at = rest.indexOf(magic, at + 1)) {
    const read = readRecord(rest, at, { checkDigest: true, payloadLengthMax: EVENT_BYTES_MAX })
    if (read.kind === 'record') return offset + 1 + at
  }
  return null
}
