import type { FileHandles } from './fileHandles'
import { readRange } from './fileSystem'
import type { IndexSummary } from './segmentIndex'
import { MEMBER_STRIDE } from './segmentIndex'
import type { RecordAt } from './recordIterator'
import { walkRecords } from './recordIterator'
import { readRecord, RECORD_HEADER_BYTES, RECORD_OVERHEAD_BYTES } from './recordCodec'
import { firstAtLeast } from './matchRuns'
import { bufferSource } from './byteSource'
import { SEGMENT_HEADER_BYTES } from './segmentHeader'
import { sealedName } from './segmentNames'
import { inflateSmall } from './inflate'
import { MemberCache } from './memberCache'
import { threadSmallReads } from './smallReads'
import { CorruptionError } from './errors'
import { EVENT_BYTES_MAX, MEMBER_CACHE_BYTES_MAX, MEMBER_READS_PARALLEL_MAX } from './limits'

/** Where each record of an inflated member starts, and its sequence (both ascending). */
interface RecordTable {
  offsets: number[]
  sequences: number[]
}

/**
 * SealedMembers reads single gzip members of sealed segments, found through a segment
 * index's member table, and walks their records. Inflated members are kept in a MemberCache
 * (MEMBER_CACHE_BYTES_MAX), so asking for the same member again costs neither a file read
 * nor an inflate. Members not cached are read through the store's open handles, consecutive
 * ones with one read, and inflated MEMBER_READS_PARALLEL_MAX at a time,
 * so memory beyond the cache holds at most that many members.
 *
 * A member that does not inflate, or inflates to another size than the index names, is a
 * CorruptionError (the caller's read puts the store into needs_recovery) and is not cached.
 */
export class SealedMembers {
  readonly cache: MemberCache
  /**
   * Record tables of inflated members, made by their first `pick`: later picks of a cached
   * member jump to the record instead of walking every header before it. Keyed weakly by
   * the inflated bytes, so a table lives exactly as long as its member stays cached.
   */
  private readonly tables = new WeakMap<Buffer, RecordTable>()

  constructor(
    private readonly handles: FileHandles,
    private readonly dir: string,
    cacheBytesMax = MEMBER_CACHE_BYTES_MAX,
  ) {
    this.cache = new MemberCache(cacheBytesMax)
  }

  /**
   * walk calls `onRecord` for the records of each of `members` (ascending, distinct) of one
   * segment, member after member; `onRecord` returning true ends that member's walk.
   */
  async walk(
    summary: IndexSummary,
    members: readonly number[],
    onRecord: (record: RecordAt) => boolean | void,
  ): Promise<void> {
    for (let i = 0; i < members.length; i += MEMBER_READS_PARALLEL_MAX) {
      const batch = members.slice(i, i + MEMBER_READS_PARALLEL_MAX)
      const inflated = await this.inflated(summary, batch)
      for (const [k, member] of batch.entries()) {
        await walkMember(summary, member, inflated[k]!, onRecord)
      }
    }
  }

  /**
   * pick calls `onRecord` for the record of each of `sequences` (ascending) found in the
   * members `memberOf` names for them, in order; a sequence no member holds is left out.
   */
  async pick(
    summary: IndexSummary,
    sequences: readonly number[],
    memberOf: (sequence: number) => number,
    onRecord: (record: RecordAt) => void,
  ): Promise<void> {
    const byMember = new Map<number, number[]>()
    for (const sequence of sequences) {
      const member = memberOf(sequence)
      const list = byMember.get(member)
      if (list) list.push(sequence)
      else byMember.set(member, [sequence])
    }
    const members = [...byMember.keys()]
    for (let i = 0; i < members.length; i += MEMBER_READS_PARALLEL_MAX) {
      const batch = members.slice(i, i + MEMBER_READS_PARALLEL_MAX)
      const inflated = await this.inflated(summary, batch)
      for (const [k, member] of batch.entries()) {
        const raw = inflated[k]!
        const table = this.tables.get(raw) ?? (await recordTable(summary, member, raw))
        this.tables.set(raw, table)
        for (const sequence of byMember.get(member)!) {
          const at = firstAtLeast(table.sequences, sequence)
          if (table.sequences[at] !== sequence) continue
          onRecord(recordAt(summary, member, raw, table.offsets[at]!, sequence))
        }
      }
    }
  }

  /** inflated returns the bytes of `members` (ascending, distinct), from the cache or the file. */
  private async inflated(summary: IndexSummary, members: readonly number[]): Promise<Buffer[]> {
    const { segmentNumber, gzSha256 } = summary
    const found = members.map((member) => this.cache.get(segmentNumber, gzSha256, member))
    const missing = members.filter((_, k) => !found[k])
    if (missing.length === 0) return found as Buffer[]
    const read = new Map<number, Buffer>()
    await this.handles.use(`${this.dir}/${sealedName(segmentNumber)}`, async (handle) => {
      const inflating: Promise<void>[] = []
      for (const run of consecutiveRuns(missing)) {
        const from = gzStart(summary, run[0]!)
        const length = gzStart(summary, run.at(-1)! + 1) - from
        // One member (a get, or the one a page lacks) is read on the thread while that is
        // quick (smallReads.ts); several go to the pool, read and inflated side by side.
        const gz =
          missing.length === 1
            ? threadSmallReads.read(handle, from, length)
            : readRange(handle, from, length)
        for (const member of run) {
          const start = gzStart(summary, member) - from
          const end = gzStart(summary, member + 1) - from
          inflating.push(
            gz.then(async (bytes) => {
              read.set(member, await inflateMember(summary, member, bytes.subarray(start, end)))
            }),
          )
        }
      }
      // Every read settles before the handle closes; the first failure is the answer.
      const failed = (await Promise.allSettled(inflating)).find((r) => r.status === 'rejected')
      if (failed) throw failed.reason
    })
    for (const [member, bytes] of read) this.cache.set(segmentNumber, gzSha256, member, bytes)
    return members.map((member, k) => found[k] ?? read.get(member)!)
  }
}

/** consecutiveRuns splits an ascending list into runs of consecutive numbers. */
function consecutiveRuns(sorted: readonly number[]): number[][] {
  const runs: number[][] = []
  for (const value of sorted) {
    const run = runs.at(-1)
    if (run && run.at(-1)! + 1 === value) run.push(value)
    else runs.push([value])
  }
  return runs
}

function rawStart(summary: IndexSummary, member: number): number {
  return summary.members[member * MEMBER_STRIDE + 1] ?? summary.rawBytes
}

function gzStart(summary: IndexSummary, member: number): number {
  return summary.members[member * MEMBER_STRIDE + 2] ?? summary.gzBytes
}

async function inflateMember(summary: IndexSummary, member: number, gz: Buffer): Promise<Buffer> {
  const name = sealedName(summary.segmentNumber)
  const from = rawStart(summary, member)
  const rawBytes = rawStart(summary, member + 1) - from
  let raw: Buffer
  try {
    raw = await inflateSmall(gz, rawBytes)
  } catch (error) {
    const reason = `gzip member ${member} (at gzip offset ${gzStart(summary, member)}) is unreadable: ${(error as Error).message}`
    throw new CorruptionError(name, from, reason)
  }
  if (raw.length !== rawBytes) {
    const reason = `gzip member ${member} inflates to ${raw.length} bytes, the index says ${rawBytes}`
    throw new CorruptionError(name, from, reason)
  }
  return raw
}

/** walkMember calls `onRecord` for each record of one inflated member, with segment offsets. */
async function walkMember(
  summary: IndexSummary,
  member: number,
  raw: Buffer,
  onRecord: (record: RecordAt) => boolean | void,
): Promise<void> {
  const name = sealedName(summary.segmentNumber)
  const from = rawStart(summary, member)
  const start = member === 0 ? SEGMENT_HEADER_BYTES : 0
  const end = await walkRecords(bufferSource(raw), start, false, (record) =>
    onRecord({ ...record, offset: record.offset + from, end: record.end + from }),
  )
  if (end.kind === 'bad') throw new CorruptionError(name, from + end.offset, end.reason)
  if (end.kind === 'incomplete') {
    throw new CorruptionError(name, from + end.offset, 'gzip member ends inside a record')
  }
}

/**
 * recordTable notes where each record of an inflated member starts, by hopping from length
 * to length without checking anything: gzip's CRC-32 already vouched for these bytes, and
 * `recordAt` checks each record it hands out (header checksum, sequence). A table that does
 * not end exactly at the member's end is not trusted: the member is walked record by record
 * instead, which reports the damage where it is.
 */
async function recordTable(
  summary: IndexSummary,
  member: number,
  raw: Buffer,
): Promise<RecordTable> {
  const table: RecordTable = { offsets: [], sequences: [] }
  let at = member === 0 ? SEGMENT_HEADER_BYTES : 0
  while (at + RECORD_HEADER_BYTES <= raw.length) {
    table.offsets.push(at)
    table.sequences.push(raw.readUInt32BE(at + 16) * 2 ** 32 + raw.readUInt32BE(at + 20))
    at += RECORD_OVERHEAD_BYTES + raw.readUInt32BE(at + 8)
  }
  if (at === raw.length) return table
  await walkMember(summary, member, raw, () => undefined)
  throw new CorruptionError(
    sealedName(summary.segmentNumber),
    rawStart(summary, member) + at,
    'record lengths do not add up to the gzip member',
  )
}

/** recordAt reads and checks the record of `sequence` at `offset` of an inflated member. */
function recordAt(
  summary: IndexSummary,
  member: number,
  raw: Buffer,
  offset: number,
  sequence: number,
): RecordAt {
  const read = readRecord(raw, offset, { checkDigest: false, payloadLengthMax: EVENT_BYTES_MAX })
  const from = rawStart(summary, member)
  if (read.kind !== 'record' || read.header.sequence !== sequence) {
    const reason =
      read.kind === 'bad'
        ? read.reason
        : read.kind === 'incomplete'
          ? 'gzip member ends inside a record'
          : `record of sequence ${read.header.sequence} is where ${sequence} was expected`
    throw new CorruptionError(sealedName(summary.segmentNumber), from + offset, reason)
  }
  return { offset: from + offset, header: read.header, payload: read.payload, end: from + read.end }
}
