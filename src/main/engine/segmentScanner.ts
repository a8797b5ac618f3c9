import type { ByteSource } from './byteSource'
import type { SegmentHeader } from './segmentHeader'
import { decodeSegmentHeader, SEGMENT_HEADER_BYTES } from './segmentHeader'
import { findValidRecordAfter, walkRecords } from './recordIterator'

/**
 * scanSegment reads every record of one segment and checks what a record cannot check
 * alone: sequences continue without a gap and every atomic batch is complete.
 *
 * Records never span segments, so only the newest segment can end in a torn tail: an
 * unfinished record or batch, or damage with no intact record after it. Anywhere else the
 * same shape is corruption. A torn tail is cut back to the start of its batch, so a batch
 * is either all there or not there at all.
 */
export interface SegmentScan {
  header: SegmentHeader | null
  /** Intact events in complete batches before any damage. */
  records: number
  firstSequence: number | null
  lastSequence: number | null
  /** Offset just after the last complete batch: where a torn tail is cut. */
  validEnd: number
  /** Payload of the last intact event (its id carries the append clock). */
  lastPayload: Buffer | null
  damage: SegmentDamage | null
}

export interface SegmentDamage {
  kind: 'torn' | 'corrupt'
  /** Where the damage was found. */
  offset: number
  reason: string
  /** Where a repair cuts: the start of the batch that holds the damage. */
  cutOffset: number
}

export interface ScanOptions {
  /** True for the newest segment: an unfinished tail is torn, not corrupt. */
  mayHaveTornTail: boolean
  checkDigest: boolean
  storeId: Buffer | null
  /** Sequence the segment must start at, when the previous segment is known. */
  expectedFirstSequence: number | null
}

export async function scanSegment(source: ByteSource, options: ScanOptions): Promise<SegmentScan> {
  const headerBytes = await source.read(0, SEGMENT_HEADER_BYTES)
  const header = decodeSegmentHeader(headerBytes)
  if (typeof header === 'string') {
    // A crash while the segment was being created leaves a short or empty header.
    const unfinished = options.mayHaveTornTail && source.size < SEGMENT_HEADER_BYTES
    return emptyScan(null, {
      kind: unfinished ? 'torn' : 'corrupt',
      offset: 0,
      reason: header,
      cutOffset: 0,
    })
  }
  if (options.storeId && !header.storeId.equals(options.storeId)) {
    return emptyScan(header, {
      kind: 'corrupt',
      offset: 0,
      reason: 'segment belongs to another store (store id differs)',
      cutOffset: 0,
    })
  }
  if (
    options.expectedFirstSequence !== null &&
    header.firstSequence !== options.expectedFirstSequence
  ) {
    return emptyScan(header, {
      kind: 'corrupt',
      offset: 0,
      reason: `segment starts at sequence ${header.firstSequence}, expected ${options.expectedFirstSequence}`,
      cutOffset: 0,
    })
  }

  const scan = emptyScan(header, null)
  scan.validEnd = SEGMENT_HEADER_BYTES
  let expected = header.firstSequence
  let batchStart = SEGMENT_HEADER_BYTES
  let batchRecords = 0
  let batchCount = 0
  let inconsistency: SegmentDamage | null = null
  let pendingPayload: Buffer | null = null

  const end = await walkRecords(source, SEGMENT_HEADER_BYTES, options.checkDigest, (record) => {
    const { header: h } = record
    const cutOffset = batchRecords > 0 ? batchStart : record.offset
    if (h.sequence !== expected) {
      const reason = `sequence gap: expected ${expected}, found ${h.sequence}`
      inconsistency = { kind: 'corrupt', offset: record.offset, reason, cutOffset }
      return true
    }
    if (h.batchIndex !== batchRecords || (batchRecords > 0 && h.batchCount !== batchCount)) {
      const reason = `batch broken: record ${h.batchIndex + 1} of ${h.batchCount} where record ${batchRecords + 1} of a batch was expected`
      inconsistency = { kind: 'corrupt', offset: record.offset, reason, cutOffset }
      return true
    }
    if (batchRecords === 0) {
      batchStart = record.offset
      batchCount = h.batchCount
    }
    batchRecords++
    expected++
    pendingPayload = record.payload
    if (h.batchIndex === h.batchCount - 1) {
      scan.records += batchRecords
      scan.firstSequence ??= h.sequence - h.batchCount + 1
      scan.lastSequence = h.sequence
      scan.validEnd = record.end
      scan.lastPayload = Buffer.from(pendingPayload)
      batchRecords = 0
    }
    return false
  })

  if (inconsistency) {
    scan.damage = inconsistency
    return scan
  }
  const unfinishedBatch = batchRecords > 0
  if (end.kind === 'end' && !unfinishedBatch) return scan
  const cutAt = unfinishedBatch ? batchStart : end.offset
  const reason =
    end.kind === 'bad'
      ? end.reason
      : end.kind === 'incomplete'
        ? 'segment ends inside a record'
        : 'segment ends inside a batch'
  scan.damage = await classifyDamage(source, end, cutAt, reason, options.mayHaveTornTail)
  return scan
}

async function classifyDamage(
  source: ByteSource,
  end: { kind: string; offset: number },
  cutAt: number,
  reason: string,
  mayHaveTornTail: boolean,
): Promise<SegmentDamage> {
  if (!mayHaveTornTail) return { kind: 'corrupt', offset: end.offset, reason, cutOffset: cutAt }
  // An intact record after the damage means this is not a torn tail. That holds for an
  // "unfinished" record too: its length may be damaged (with a matching CRC by chance).
  if ((await findValidRecordAfter(source, end.offset)) !== null) {
    const followed = `${reason} (intact records follow)`
    return { kind: 'corrupt', offset: end.offset, reason: followed, cutOffset: cutAt }
  }
  return { kind: 'torn', offset: cutAt, reason, cutOffset: cutAt }
}

function emptyScan(header: SegmentHeader | null, damage: SegmentDamage | null): SegmentScan {
  return {
    header,
    records: 0,
    firstSequence: null,
    lastSequence: null,
    validEnd: 0,
    lastPayload: null,
    damage,
  }
}
