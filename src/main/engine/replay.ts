import type { StoredEvent } from '../../shared/event'
import type { EventStore } from './eventStore'
import type { FileSystem } from './fileSystem'
import { isCode } from './fileSystem'
import type { ByteSource } from './byteSource'
import { fileSource } from './byteSource'
import type { SealedSource } from './sealedSource'
import { openSealedSource } from './sealedSource'
import { decodeEventBatch, decodePackedEvents, decodeRecordRun } from './eventBatchDecoder'
import type { CutRun } from './payloadCut'
import type { PayloadCutter } from './payloadCutter'
import { sharedPayloadCutter } from './payloadCutter'
import { readRecord, RECORD_HEADER_BYTES } from './recordCodec'
import { SEGMENT_HEADER_BYTES } from './segmentHeader'
import { parseSegmentFileName, segmentLogName } from './segmentNames'
import { assert, CorruptionError, ValidationError } from './errors'
import { EVENT_BYTES_MAX, REPLAY_WINDOW_BYTES } from './limits'

/**
 * Replay streams stored events from a position, decoded, in sequence order, a window at a
 * time, whatever the store's size: of a raw log, one read window (REPLAY_WINDOW_BYTES); of
 * a sealed segment, one run of gzip members (PAYLOAD_RUN_BYTES) and PAYLOAD_RUNS_AHEAD
 * runs under way on the payload workers (payloadCutter.ts), or without them one window and
 * SEALED_READ_AHEAD_BYTES inflating on the thread pool.
 * The consumer sets the pace: nothing more is read until it asks.
 *
 * A replay covers the events stored when it starts (the store's `lastSequence` then) and
 * never reads past the last durable event of the newest segment, so an append in flight is
 * never seen half-written. Record headers are always checked (CRC-32C); the SHA-256 of each
 * payload only with `checkDigest` (verification is its own job).
 */
export interface ReplayOptions {
  /** Last sequence to read (inclusive); default: the store's last sequence at the start. */
  toSequence?: number
  /** Check every payload's SHA-256 as it is read. Default false. */
  checkDigest?: boolean
  /**
   * Who inflates sealed members and cuts out their payloads: by default the process's
   * payload worker (sharedPayloadCutter), so this thread only decodes; null: this thread.
   */
  cutter?: PayloadCutter | null
}

/** EventBatch is the events of one read window, and how far the read has come. */
export interface EventBatch {
  events: StoredEvent[]
  /** Every sequence up to this one has been read (the last event's, when there are events). */
  throughSequence: number
}

/** replay calls `onEvent` for each event from `fromSequence` on, awaiting what it returns. */
export async function replay(
  store: EventStore,
  fromSequence: number,
  onEvent: (event: StoredEvent) => void | Promise<void>,
  options: ReplayOptions = {},
): Promise<number> {
  let count = 0
  for await (const batch of readEventBatches(store, fromSequence, options)) {
    for (const event of batch.events) {
      const pending = onEvent(event)
      if (pending) await pending
      count++
    }
  }
  return count
}

/** replayEvents is replay as an async iterator: `for await (const event of replayEvents(…))`. */
export async function* replayEvents(
  store: EventStore,
  fromSequence: number,
  options: ReplayOptions = {},
): AsyncGenerator<StoredEvent, void, undefined> {
  for await (const batch of readEventBatches(store, fromSequence, options)) yield* batch.events
}

/**
 * readEventBatches yields the events from `fromSequence` to `toSequence` a window at a
 * time. Stopping the iteration early (break, return) closes the open file at once.
 */
export async function* readEventBatches(
  store: EventStore,
  fromSequence: number,
  options: ReplayOptions = {},
): AsyncGenerator<EventBatch, void, undefined> {
  sequenceOption(fromSequence, 'fromSequence')
  if (options.toSequence !== undefined) sequenceOption(options.toSequence, 'toSequence')
  const toSequence = Math.min(options.toSequence ?? Number.MAX_SAFE_INTEGER, store.lastSequence)
  if (fromSequence > toSequence) return
  const { fs, dir } = store.files
  const segments = store
    .inspect()
    .segments.filter(
      (s) =>
        s.records > 0 &&
        (s.last_sequence ?? 0) >= fromSequence &&
        (s.first_sequence ?? 0) <= toSequence,
    )
  const walk: SegmentWalk = {
    expected: fromSequence,
    toSequence,
    checkDigest: options.checkDigest ?? false,
  }
  const cutter = options.cutter === undefined ? sharedPayloadCutter() : options.cutter
  for (const segment of segments) {
    const segmentNumber = parseSegmentFileName(segment.name)?.segmentNumber
    assert(segmentNumber !== undefined, `inspect names a segment file: ${segment.name}`)
    const source = await openSegment(fs, dir, segmentNumber, segment.sealed)
    try {
      walk.firstInSegment = segment.first_sequence ?? 0
      walk.lastInSegment = Math.min(segment.last_sequence ?? 0, toSequence)
      walk.recordsInSegment = segment.records
      yield* cutter && 'cutRuns' in source
        ? walkCutRuns(source as SealedSource, segment.name, walk, cutter)
        : walkSegment(source, segment.name, walk)
    } finally {
      await source.close()
    }
  }
  if (walk.expected <= toSequence) {
    const at = segments.at(-1)?.name ?? '(no segment)'
    const reason = `events ${walk.expected} to ${toSequence} were expected but not found`
    throw new CorruptionError(at, 0, reason)
  }
}

interface SegmentWalk {
  /** The next sequence to hand out. */
  expected: number
  toSequence: number
  /** The last sequence to read from the current segment. */
  lastInSegment?: number
  /** The first sequence of the current segment, and its records, as listed. */
  firstInSegment?: number
  recordsInSegment?: number
  checkDigest: boolean
}

/** walkSegment decodes the records of one segment from `walk.expected` to its last wanted one. */
async function* walkSegment(
  source: ByteSource,
  name: string,
  walk: SegmentWalk,
): AsyncGenerator<EventBatch, void, undefined> {
  const last = walk.lastInSegment ?? walk.toSequence
  let offset = await startOffset(source, walk)
  const readOptions = { checkDigest: walk.checkDigest, payloadLengthMax: EVENT_BYTES_MAX }
  let window = await source.read(offset, REPLAY_WINDOW_BYTES)
  let at = 0
  // Payloads are views of the window: decoded (copied out) before the window is replaced.
  let payloads: Buffer[] = []
  const batch = (): EventBatch => {
    const events = decodeEventBatch(payloads)
    payloads = []
    return { events, throughSequence: walk.expected - 1 }
  }
  while (walk.expected <= last) {
    const read = readRecord(window, at, readOptions)
    if (read.kind === 'bad') throw new CorruptionError(name, offset + at, read.reason)
    if (read.kind === 'incomplete') {
      const have = window.length - at
      const more = await source.read(
        offset + window.length,
        Math.max(REPLAY_WINDOW_BYTES, read.needBytes - have),
      )
      if (more.length === 0) throw endsInsideRecord(name, offset + at, walk.expected)
      if (payloads.length > 0) yield batch()
      window = Buffer.concat([window.subarray(at), more])
      offset += at
      at = 0
      continue
    }
    const sequence = read.header.sequence
    if (sequence > walk.expected) throw sequenceGap(name, offset + at, walk.expected, sequence)
    if (sequence === walk.expected) {
      payloads.push(read.payload)
      walk.expected++
    }
    at = read.end
  }
  if (payloads.length > 0) yield batch()
}

/**
 * walkCutRuns is walkSegment for a sealed segment whose runs of members a payload worker
 * inflates and cuts (sealedSource's cutRuns): the same checks and the same errors (it hands
 * out the good events of a run before the damage in it, where walkSegment stops at the
 * window before; nothing after the damage either way), while this
 * thread only hands out sequences and decodes. Where the worker cannot help (it is busy or
 * gone, or a record runs past a run's end), walkSegment reads on from the next event.
 */
async function* walkCutRuns(
  source: SealedSource,
  name: string,
  walk: SegmentWalk,
  cutter: PayloadCutter,
): AsyncGenerator<EventBatch, void, undefined> {
  const last = walk.lastInSegment ?? walk.toSequence
  const from = await startOffset(source, walk)
  // What is left to read, at most: to the segment's end, or about as far as `last`.
  const perEvent = source.size / Math.max(1, walk.recordsInSegment ?? 1)
  const wanted = Math.min(source.size - from, (last - walk.expected + 1) * perEvent)
  if (wanted < cutter.minBytes) return yield* walkSegment(source, name, walk)
  for await (const run of source.cutRuns!(from, cutter, walk.checkDigest)) {
    if (run === null) return yield* walkSegment(source, name, walk)
    // The run's records to hand out, as stretches [first, end) of consecutive events.
    const stretches: number[] = []
    const runFrom = walk.expected
    let gap: CorruptionError | null = null
    for (let i = 0; i < run.sequences.length && walk.expected <= last; i++) {
      const sequence = run.sequences[i]!
      if (sequence < walk.expected) continue
      if (sequence > walk.expected) {
        gap = sequenceGap(name, run.offsets[i]!, walk.expected, sequence)
        break
      }
      if (stretches.at(-1) === i) stretches[stretches.length - 1] = i + 1
      else stretches.push(i, i + 1)
      walk.expected++
    }
    const events = decodeStretches(run, stretches)
    if (events === null) {
      // Rewritten payloads that do not decode: read them again as stored, which names why.
      walk.expected = runFrom
      return yield* walkSegment(source, name, walk)
    }
    if (events.length > 0) yield { events, throughSequence: walk.expected - 1 }
    if (gap) throw gap
    if (walk.expected > last) return
    if (run.problem) throw new CorruptionError(name, run.problem.offset, run.problem.reason)
    if (run.continuesAt !== null) return yield* walkSegment(source, name, walk)
  }
  if (walk.expected <= last) throw endsInsideRecord(name, source.size, walk.expected)
}

/**
 * decodeStretches decodes a run's records in `stretches` ([first, end) pairs, in order):
 * null when the run's rewritten payloads do not decode.
 */
function decodeStretches(run: CutRun, stretches: readonly number[]): StoredEvent[] | null {
  if (stretches.length === 0) return []
  const pairs: [number, number][] = []
  for (let i = 0; i < stretches.length; i += 2) pairs.push([stretches[i]!, stretches[i + 1]!])
  if (!run.records) {
    return pairs.flatMap(([first, end]) => decodePackedEvents(run.payloads, run.ends, first, end))
  }
  // Rewritten payloads decode only from the first, so those before a stretch are too.
  const decoded = decodeRecordRun(run.payloads, run.ends, stretches.at(-1)!)
  if (!decoded || (pairs.length === 1 && stretches[0] === 0)) return decoded
  return pairs.flatMap(([first, end]) => decoded.slice(first, end))
}

/**
 * startOffset is where to begin reading for the next event: the first record when the walk
 * starts at or before the segment's first event (a replay going on from the last segment),
 * otherwise for a sealed segment the start of the last gzip member whose first event is at
 * or before it (a binary search that inflates about log2(members) members rather than
 * everything before).
 */
async function startOffset(source: ByteSource, walk: SegmentWalk): Promise<number> {
  const fromSequence = walk.expected
  if (fromSequence <= (walk.firstInSegment ?? 0)) return SEGMENT_HEADER_BYTES
  const sealed = source as Partial<SealedSource>
  const members = sealed.memberOffsets ?? []
  // Probes peek: a read-ahead from each probe would inflate much of the segment.
  const peek = sealed.peek?.bind(sealed) ?? source.read.bind(source)
  let low = 0
  let high = members.length - 1
  while (low < high) {
    const middle = (low + high + 1) >> 1
    const first = await firstSequenceAt(peek, members[middle]!)
    if (first !== null && first <= fromSequence) low = middle
    else high = middle - 1
  }
  return low === 0 ? SEGMENT_HEADER_BYTES : members[low]!
}

async function firstSequenceAt(peek: ByteSource['read'], offset: number): Promise<number | null> {
  const options = { checkDigest: false, payloadLengthMax: EVENT_BYTES_MAX }
  let read = readRecord(await peek(offset, RECORD_HEADER_BYTES), 0, options)
  if (read.kind === 'incomplete') read = readRecord(await peek(offset, read.needBytes), 0, options)
  return read.kind === 'record' ? read.header.sequence : null
}

/** openSegment opens a raw log, or its sealed file when it was sealed since it was listed. */
async function openSegment(
  fs: FileSystem,
  dir: string,
  segmentNumber: number,
  sealed: boolean,
): Promise<ByteSource> {
  if (!sealed) {
    try {
      const handle = await fs.open(`${dir}/${segmentLogName(segmentNumber)}`, 'read')
      return fileSource(handle, await handle.size())
    } catch (error) {
      if (!isCode(error, 'ENOENT')) throw error
    }
  }
  return openSealedSource(fs, dir, segmentNumber)
}

function endsInsideRecord(name: string, offset: number, expected: number): CorruptionError {
  return new CorruptionError(
    name,
    offset,
    `segment ends inside a record (event ${expected} expected)`,
  )
}

function sequenceGap(name: string, offset: number, expected: number, found: number) {
  return new CorruptionError(name, offset, `sequence gap: expected ${expected}, found ${found}`)
}

function sequenceOption(value: number, field: string): void {
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new ValidationError(field, `must be a whole number of at least 1, got ${String(value)}`)
  }
}
