import { createHash } from 'node:crypto'
import type { FileSystem } from './fileSystem'
import { ignoreMissing, readRange, writeFileDurably } from './fileSystem'
import type { SegmentInfo } from './segmentReader'
import { INDEX_FIELDS } from './segmentIndex'
import { RECORD_DIGEST_BYTES, RECORD_HEADER_BYTES } from './recordCodec'
import { segmentLogName } from './segmentNames'

/**
 * The active segment's in-memory index, saved at a clean close so that the next open loads
 * it instead of reading the whole segment back: a full 100 MB active segment (170,000
 * events) kept the first query waiting 0.9-1.1 s, and 0.14 s with the saved index.
 *
 * It is derived data, like a sealed segment's index file, and trusted only when it still
 * describes a prefix of the log as it is: the same segment number and first sequence, the
 * log at least as long as the prefix, and the last record of the prefix still byte for byte
 * the one indexed (its header, with its CRC, and its payload's SHA-256). An append-only log
 * can only change under a prefix by being cut below its end, which removes that record, and
 * a record written again there has another event id, so another digest. Anything else (a
 * damaged file, another segment, a shorter log) is ignored and the index is rebuilt from the
 * log, as it always could be. A writer that appends after opening leaves the file as it is:
 * it still describes a prefix, and the index reads on from its end.
 */
export interface ActiveIndexState {
  segmentNumber: number
  firstSequence: number
  count: number
  /** Where the record after the prefix starts. */
  end: number
  /** Where each record starts (the first `count` entries hold). */
  offsets: Float64Array<ArrayBuffer>
  /** Each event's time, in ms. */
  times: Float64Array<ArrayBuffer>
  /** Per INDEX_FIELDS field: each value's sequences, or null for a field dropped. */
  postings: (Map<string, number | number[]> | null)[]
}

const FORMAT = 'lighthouse-active-index'
const VERSION = 1
const FILE_SUFFIX = '.active-index'

/**
 * The file: a line with the SHA-256 (hex) of the rest, a line with the last indexed record's
 * header and payload digest (hex), and a line of JSON with the index itself.
 */
interface SavedIndex {
  format: typeof FORMAT
  version: typeof VERSION
  segment_number: number
  first_sequence: number
  count: number
  end: number
  /** Where the first record starts; the others follow from the lengths. */
  first_offset: number
  lengths: number[]
  /** Event times as differences from the previous one, the first from 0. */
  times: number[]
  /** The fields the postings are of, in order. */
  fields: string[]
  postings: ([string, number | number[]][] | null)[]
}

export function activeIndexName(segmentNumber: number): string {
  return `segment-${String(segmentNumber).padStart(10, '0')}${FILE_SUFFIX}`
}

/**
 * saveActiveIndex writes `state` for its segment and removes the files of other segments.
 * The caller makes sure the state covers a prefix of the segment as it is on disk. The
 * state is taken as it is at the call: the index may grow while the file is written.
 */
export async function saveActiveIndex(
  fs: FileSystem,
  dir: string,
  state: ActiveIndexState,
): Promise<void> {
  const { count, end, offsets } = state
  const name = activeIndexName(state.segmentNumber)
  // An event without a valid time (foreign data) is left to a rebuild, which handles it.
  const timed = state.times.subarray(0, count).every(Number.isFinite)
  const body = count > 0 && timed ? JSON.stringify(savedIndex(state)) : null
  await removeOthers(fs, dir, name)
  if (body === null) return
  const last = await lastRecordBytes(fs, dir, state.segmentNumber, offsets[count - 1]!, end)
  const rest = `${last.toString('hex')}\n${body}`
  const checksum = createHash('sha256').update(rest).digest('hex')
  await writeFileDurably(fs, dir, name, Buffer.from(`${checksum}\n${rest}\n`))
}

function savedIndex(state: ActiveIndexState): SavedIndex {
  const { count, offsets, times, end } = state
  const last = state.firstSequence + count - 1
  return {
    format: FORMAT,
    version: VERSION,
    segment_number: state.segmentNumber,
    first_sequence: state.firstSequence,
    count,
    end,
    first_offset: offsets[0]!,
    lengths: Array.from(
      { length: count },
      (_, i) => (i + 1 < count ? offsets[i + 1]! : end) - offsets[i]!,
    ),
    times: Array.from({ length: count }, (_, i) => times[i]! - (i === 0 ? 0 : times[i - 1]!)),
    fields: [...INDEX_FIELDS],
    postings: state.postings.map((postings) => (postings ? postingsThrough(postings, last) : null)),
  }
}

/** postingsThrough lists the postings of sequences up to `last` (the index may be ahead). */
function postingsThrough(
  postings: Map<string, number | number[]>,
  last: number,
): [string, number | number[]][] {
  const entries: [string, number | number[]][] = []
  for (const [value, sequences] of postings) {
    if (typeof sequences === 'number') {
      if (sequences <= last) entries.push([value, sequences])
      continue
    }
    const kept = sequences.at(-1)! <= last ? sequences : sequences.filter((s) => s <= last)
    if (kept.length > 0) entries.push([value, kept.length === 1 ? kept[0]! : kept])
  }
  return entries
}

/**
 * loadActiveIndex reads the saved index of `segment`, or null when there is none it can
 * trust (see above); it never throws for a file it cannot use.
 */
export async function loadActiveIndex(
  fs: FileSystem,
  dir: string,
  segment: SegmentInfo,
): Promise<ActiveIndexState | null> {
  let text: string
  try {
    text = (await fs.readFile(`${dir}/${activeIndexName(segment.segmentNumber)}`)).toString('utf8')
  } catch {
    return null
  }
  const [checksum, lastRecord, body] = text.trimEnd().split('\n')
  if (body === undefined) return null
  const rest = `${lastRecord}\n${body}`
  if (createHash('sha256').update(rest).digest('hex') !== checksum) return null
  let saved: SavedIndex
  try {
    saved = JSON.parse(body) as SavedIndex
  } catch {
    return null
  }
  if (
    saved.format !== FORMAT ||
    saved.version !== VERSION ||
    saved.segment_number !== segment.segmentNumber ||
    saved.first_sequence !== segment.firstSequence ||
    saved.count < 1 ||
    saved.count > segment.records ||
    saved.end > segment.rawBytes ||
    saved.lengths?.length !== saved.count ||
    saved.times?.length !== saved.count ||
    saved.fields?.join() !== INDEX_FIELDS.join() ||
    saved.postings?.length !== INDEX_FIELDS.length
  ) {
    return null
  }
  const offsets = new Float64Array(saved.count)
  const times = new Float64Array(saved.count)
  let offset = saved.first_offset
  let time = 0
  for (let i = 0; i < saved.count; i++) {
    const [length, step] = [saved.lengths[i], saved.times[i]]
    if (typeof length !== 'number' || typeof step !== 'number') return null
    offsets[i] = offset
    offset += length
    times[i] = time += step
  }
  if (offset !== saved.end) return null
  const last = await lastRecordBytes(
    fs,
    dir,
    segment.segmentNumber,
    offsets[saved.count - 1]!,
    saved.end,
  ).catch(() => null)
  if (last?.toString('hex') !== lastRecord) return null
  return {
    segmentNumber: saved.segment_number,
    firstSequence: saved.first_sequence,
    count: saved.count,
    end: saved.end,
    offsets,
    times,
    postings: saved.postings.map((entries) => (entries ? new Map(entries) : null)),
  }
}

/** lastRecordBytes is the header and payload digest of the record from `offset` to `end`. */
async function lastRecordBytes(
  fs: FileSystem,
  dir: string,
  segmentNumber: number,
  offset: number,
  end: number,
): Promise<Buffer> {
  const handle = await fs.open(`${dir}/${segmentLogName(segmentNumber)}`, 'read')
  try {
    const header = await readRange(handle, offset, RECORD_HEADER_BYTES)
    const digest = await readRange(handle, end - RECORD_DIGEST_BYTES, RECORD_DIGEST_BYTES)
    return Buffer.concat([header, digest])
  } finally {
    await handle.close()
  }
}

/** removeOthers removes the saved indexes of segments other than `keep`'s. */
async function removeOthers(fs: FileSystem, dir: string, keep: string): Promise<void> {
  for (const name of (await fs.readdir(dir)) ?? []) {
    if (name.endsWith(FILE_SUFFIX) && name !== keep)
      await fs.unlink(`${dir}/${name}`).catch(ignoreMissing)
  }
}
