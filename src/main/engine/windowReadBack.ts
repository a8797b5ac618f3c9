import type { StoredEvent } from '../../shared/event'
import { pipeline } from 'node:stream/promises'
import * as zlib from 'node:zlib'
import type { FileHandle, FileSystem } from './fileSystem'
import { readRange } from './fileSystem'
import { fileSource } from './byteSource'
import type { SegmentCheck } from './segmentCheck'
import { openSealedSource } from './sealedSource'
import { walkRecords } from './recordIterator'
import { decodeEvent } from './eventCodec'
import { SEGMENT_HEADER_BYTES } from './segmentHeader'
import { CorruptionError } from './errors'
import { parseEventId } from './eventId'
import type { RememberedKey } from './idempotencyWindow'
import {
  IDEMPOTENCY_KEYS_MAX,
  IDEMPOTENCY_REBUILD_EVENTS_MAX,
  IDEMPOTENCY_WINDOW_MS,
  READ_CHUNK_BYTES,
} from './limits'

/** Every payload that carries an idempotency key holds the field's name, in any encoding. */
const KEY_FIELD = Buffer.from('idempotency_key', 'utf8')

/**
 * readWindowBack rebuilds the window from the log when no clean close saved it: it reads
 * the segments back, newest first, until IDEMPOTENCY_KEYS_MAX keys were found or
 * IDEMPOTENCY_REBUILD_EVENTS_MAX events were read, and stops before a segment whose last
 * event is older than the window (IDEMPOTENCY_WINDOW_MS before `nowMs`): event ids grow
 * with sequences, so nothing before it is in the window either. It lists the keys oldest
 * first, as the clean-shutdown marker saves them (a key stored twice keeps its newer event).
 *
 * It decodes only the events that carry a key. Bytes that do not hold the field's name
 * hold no such event, so a segment without keys costs one search of its bytes (inflated as
 * one stream when sealed), and its records are walked only from the first key on.
 */
export async function readWindowBack(
  fs: FileSystem,
  dir: string,
  segments: readonly SegmentCheck[],
  nowMs: number,
): Promise<RememberedKey[]> {
  const oldestMs = nowMs - IDEMPOTENCY_WINDOW_MS
  const keyed: StoredEvent[] = []
  let read = 0
  for (const segment of [...segments].reverse()) {
    if (segment.records === 0) continue
    if (lastAppendedAtMs(segment) < oldestMs) break
    await readKeyedEvents(fs, dir, segment, (event) => keyed.push(event))
    read += segment.records
    if (keyed.length >= IDEMPOTENCY_KEYS_MAX || read >= IDEMPOTENCY_REBUILD_EVENTS_MAX) break
  }
  keyed.sort((a, b) => a.sequence - b.sequence)
  const window = new Map<string, RememberedKey>()
  for (const { idempotency_key: key, sequence, event_id: eventId } of keyed) {
    window.delete(key!)
    window.set(key!, [key!, sequence, eventId, appendedAtMs(eventId)])
  }
  return [...window.values()]
}

/** appendedAtMs is when an event was appended, from its id (0 for an id that does not parse). */
function appendedAtMs(eventId: string): number {
  const parsed = parseEventId(eventId)
  return parsed ? Number(parsed.timestampNs / 1_000_000n) : 0
}

/**
 * lastAppendedAtMs is when a segment's last event was appended, as its manifest, the clean
 * marker or the scan of its log knows it; a segment that does not say is read.
 */
function lastAppendedAtMs(segment: SegmentCheck): number {
  const id =
    segment.lastEventId ?? (segment.lastPayload ? decodeEvent(segment.lastPayload).event_id : null)
  return id === null ? Number.POSITIVE_INFINITY : appendedAtMs(id)
}

/**
 * readKeyedEvents hands every event of one segment that carries a key to `onKeyed`. It
 * searches the segment's bytes for the field's name, and walks the records only from the
 * last record start it knows (the first record, or a gzip member's start) before the first
 * occurrence.
 */
async function readKeyedEvents(
  fs: FileSystem,
  dir: string,
  segment: SegmentCheck,
  onKeyed: (event: StoredEvent) => void,
): Promise<void> {
  const chunks = segment.sealed ? inflatedChunks(fs, dir, segment) : logChunks(fs, dir, segment)
  const hit = await keyFieldAt(chunks)
  if (hit === null) return
  const source = segment.sealed
    ? await openSealedSource(fs, dir, segment.segmentNumber)
    : fileSource(await fs.open(`${dir}/${segment.name}`, 'read'), segment.validEnd)
  try {
    const starts = (segment.manifest?.members ?? []).map(([rawOffset]) => rawOffset)
    const start = starts.findLast((at) => at >= SEGMENT_HEADER_BYTES && at <= hit)
    const end = await walkRecords(source, start ?? SEGMENT_HEADER_BYTES, false, (record) => {
      if (record.payload.indexOf(KEY_FIELD) < 0) return
      const event = decodeEvent(record.payload)
      if (event.idempotency_key !== undefined) onKeyed(event)
    })
    if (end.kind !== 'end') {
      const reason = end.kind === 'bad' ? end.reason : 'segment ends inside a record'
      throw new CorruptionError(segment.name, end.offset, reason)
    }
  } finally {
    await source.close()
  }
}

/** keyFieldAt returns where KEY_FIELD first occurs in bytes that come in order as chunks. */
async function keyFieldAt(chunks: AsyncIterable<Buffer>): Promise<number | null> {
  const joint = KEY_FIELD.length - 1
  let at = 0
  let tail: Buffer = Buffer.alloc(0)
  for await (const chunk of chunks) {
    // The name may begin in one chunk and end in the next.
    const across = Buffer.concat([tail, chunk.subarray(0, joint)]).indexOf(KEY_FIELD)
    if (across >= 0) return at - tail.length + across
    const found = chunk.indexOf(KEY_FIELD)
    if (found >= 0) return at + found
    tail = (chunk.length >= joint ? chunk : Buffer.concat([tail, chunk])).subarray(-joint)
    at += chunk.length
  }
  return null
}

/** logChunks yields a raw log's bytes up to its last complete batch, READ_CHUNK_BYTES at a time. */
async function* logChunks(fs: FileSystem, dir: string, segment: SegmentCheck) {
  const source = fileSource(await fs.open(`${dir}/${segment.name}`, 'read'), segment.validEnd)
  try {
    for (let at = 0; at < source.size; at += READ_CHUNK_BYTES) {
      yield await source.read(at, READ_CHUNK_BYTES)
    }
  } finally {
    await source.close()
  }
}

/**
 * inflatedChunks yields a sealed segment's raw bytes in order through one gunzip stream over
 * the whole file (it inflates every gzip member in turn): a few calls per READ_CHUNK_BYTES
 * instead of one per member, and no more than about a chunk of either side in memory.
 * Bytes that do not inflate, or inflate to another size than the manifest's, are damage.
 */
async function* inflatedChunks(fs: FileSystem, dir: string, segment: SegmentCheck) {
  const handle = await fs.open(`${dir}/${segment.name}`, 'read')
  const gunzip = zlib.createGunzip({ chunkSize: READ_CHUNK_BYTES })
  const feeding = pipeline(gzipPieces(handle, segment.bytes), gunzip)
  let raw = 0
  try {
    for await (const chunk of gunzip as AsyncIterable<Buffer>) {
      raw += chunk.length
      yield chunk
    }
    await feeding
  } catch (error) {
    if (!isZlibError(error)) throw error
    throw new CorruptionError(segment.name, raw, `gzip data is unreadable: ${error.message}`)
  } finally {
    gunzip.destroy()
    await feeding.catch(() => undefined)
    await handle.close()
  }
  if (raw !== segment.validEnd) {
    const reason = `sealed file inflates to ${raw} bytes, its manifest says ${segment.validEnd}`
    throw new CorruptionError(segment.name, raw, reason)
  }
}

async function* gzipPieces(handle: FileHandle, bytes: number) {
  for (let at = 0; at < bytes; at += READ_CHUNK_BYTES) {
    yield await readRange(handle, at, Math.min(READ_CHUNK_BYTES, bytes - at))
  }
}

/** isZlibError tells an error of the gzip data (code Z_…) from one of the disk. */
function isZlibError(error: unknown): error is Error {
  const code = (error as { code?: unknown } | null)?.code
  return error instanceof Error && typeof code === 'string' && code.startsWith('Z_')
}
