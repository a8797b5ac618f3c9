import type { StoredEvent } from '../../shared/event'
import type { FileSystem } from './fileSystem'
import { isCode, readRange } from './fileSystem'
import { fileSource } from './byteSource'
import { walkRecords } from './recordIterator'
import { readRecord } from './recordCodec'
import { decodeEvent } from './eventCodec'
import type { SegmentInfo } from './segmentReader'
import { SEGMENT_HEADER_BYTES } from './segmentHeader'
import { CorruptionError } from './errors'
import { EVENT_BYTES_MAX } from './limits'

/**
 * ActiveOffsets remembers where each record of the active (raw) segment starts, so getting
 * one of its events is one read at an offset instead of a scan from the segment's start.
 * It covers a prefix of the segment, without gaps: the writer extends it from the durable
 * path (a group's records lie back to back and end at the new durable size), and a lookup
 * past the prefix (a segment reopened with records in it, or a reader's) scans on from the
 * prefix's end and extends it. One number per record: bounded by the segment size limit.
 */
export class ActiveOffsets {
  private segmentNumber = -1
  private firstSequence = 0
  private offsets: number[] = []
  /** Where the record after the covered prefix starts. */
  private end = SEGMENT_HEADER_BYTES

  /** extend adds the record `sequence` at [offset, end) when it continues the prefix. */
  extend(
    segmentNumber: number,
    firstSequence: number,
    sequence: number,
    offset: number,
    end: number,
  ): void {
    if (segmentNumber !== this.segmentNumber) this.reset(segmentNumber, firstSequence)
    if (sequence !== this.firstSequence + this.offsets.length || offset !== this.end) return
    this.offsets.push(offset)
    this.end = end
  }

  /** extendGroup adds a durable group of records that ends at `segmentEnd`. */
  extendGroup(
    segmentNumber: number,
    firstSequence: number,
    groupFirstSequence: number,
    records: readonly Buffer[],
    segmentEnd: number,
  ): void {
    let offset = segmentEnd - records.reduce((sum, record) => sum + record.length, 0)
    records.forEach((record, i) => {
      this.extend(
        segmentNumber,
        firstSequence,
        groupFirstSequence + i,
        offset,
        offset + record.length,
      )
      offset += record.length
    })
  }

  /**
   * get reads the event `sequence` of an unsealed segment at its offset, or returns
   * undefined when it cannot (the raw file is gone: sealed meanwhile) for the caller to
   * read it another way.
   */
  async get(
    fs: FileSystem,
    dir: string,
    segment: SegmentInfo,
    sequence: number,
  ): Promise<StoredEvent | null | undefined> {
    if (segment.segmentNumber !== this.segmentNumber) {
      this.reset(segment.segmentNumber, segment.firstSequence)
    }
    let handle
    try {
      handle = await fs.open(`${dir}/${segment.name}`, 'read')
    } catch (error) {
      if (isCode(error, 'ENOENT')) return undefined
      throw error
    }
    try {
      if (!this.covers(sequence)) await this.scanTo(handle, segment, sequence)
      const index = sequence - this.firstSequence
      const offset = this.offsets[index]
      if (offset === undefined) return null
      const end = this.offsets[index + 1] ?? this.end
      const read = readRecord(await readRange(handle, offset, end - offset), 0, {
        checkDigest: false,
        payloadLengthMax: EVENT_BYTES_MAX,
      })
      if (read.kind !== 'record' || read.header.sequence !== sequence) {
        const reason = read.kind === 'bad' ? read.reason : `record ${sequence} is not at ${offset}`
        throw new CorruptionError(segment.name, offset, reason)
      }
      return decodeEvent(read.payload)
    } finally {
      await handle.close()
    }
  }

  private covers(sequence: number): boolean {
    return sequence >= this.firstSequence && sequence < this.firstSequence + this.offsets.length
  }

  /** scanTo walks on from the covered prefix, up to the durable size, until `sequence`. */
  private async scanTo(
    handle: Parameters<typeof fileSource>[0],
    segment: SegmentInfo,
    sequence: number,
  ): Promise<void> {
    const start = this.end
    if (start >= segment.rawBytes) return
    const walked = await walkRecords(
      fileSource(handle, segment.rawBytes),
      start,
      false,
      (record) => {
        const at = record.header.sequence
        this.extend(segment.segmentNumber, segment.firstSequence, at, record.offset, record.end)
        return at >= sequence
      },
    )
    if (walked.kind !== 'end') {
      const reason = walked.kind === 'bad' ? walked.reason : 'segment ends inside a record'
      throw new CorruptionError(segment.name, walked.offset, reason)
    }
  }

  private reset(segmentNumber: number, firstSequence: number): void {
    this.segmentNumber = segmentNumber
    this.firstSequence = firstSequence
    this.offsets = []
    this.end = SEGMENT_HEADER_BYTES
  }
}
