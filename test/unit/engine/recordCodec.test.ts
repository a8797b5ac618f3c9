import { describe, expect, it } from 'vitest'
import { crc32c } from '../../../src/main/engine/crc32c'
import type { RecordHeader, RecordRead } from '../../../src/main/engine/recordCodec'
import {
  encodeRecord,
  readRecord,
  RECORD_DIGEST_BYTES,
  RECORD_HEADER_BYTES,
  RECORD_OVERHEAD_BYTES,
  sha256,
} from '../../../src/main/engine/recordCodec'
import type { SegmentHeader } from '../../../src/main/engine/segmentHeader'
import {
  decodeSegmentHeader,
  encodeSegmentHeader,
  SEGMENT_HEADER_BYTES,
} from '../../../src/main/engine/segmentHeader'
import { fixRecordChecksum } from '../../support/corrupt'

const LENGTH_MAX = 1024 * 1024
const checked = { checkDigest: true, payloadLengthMax: LENGTH_MAX }
const unchecked = { checkDigest: false, payloadLengthMax: LENGTH_MAX }

/** Header field offsets, as in docs/FORMAT.md. */
const VERSION_AT = 4
const LENGTH_AT = 8
const SEQUENCE_HIGH_AT = 16

const payloadOf = (length: number) =>
  Buffer.from(Array.from({ length }, (_, i) => (i * 37 + 11) & 0xff))
const header = (fields: Partial<RecordHeader> = {}, payload = payloadOf(40)): RecordHeader => ({
  payloadLength: payload.length,
  sequence: 7,
  batchIndex: 1,
  batchCount: 3,
  ...fields,
})

function expectRecord(read: RecordRead): Extract<RecordRead, { kind: 'record' }> {
  if (read.kind !== 'record') throw new Error(`expected a record, got ${JSON.stringify(read)}`)
  return read
}

function expectBad(read: RecordRead): string {
  if (read.kind !== 'bad') throw new Error(`expected a bad record, got ${read.kind}`)
  return read.reason
}

function flipBit(bytes: Buffer, bit: number): Buffer {
  const copy = Buffer.from(bytes)
  copy[bit >> 3] = copy[bit >> 3]! ^ (1 << (bit & 7))
  return copy
}

describe('record codec', () => {
  it('a record round-trips its header fields, payload and digest', () => {
    const payload = payloadOf(100)
    const record = encodeRecord(
      header({ sequence: 42, batchIndex: 2, batchCount: 5 }, payload),
      payload,
    )
    expect(record.length).toBe(RECORD_OVERHEAD_BYTES + payload.length)
    const read = expectRecord(readRecord(record, 0, checked))
    expect(read.header).toEqual({ payloadLength: 100, sequence: 42, batchIndex: 2, batchCount: 5 })
    expect(read.payload.equals(payload)).toBe(true)
    expect(read.end).toBe(record.length)
    expect(record.subarray(record.length - RECORD_DIGEST_BYTES).equals(sha256(payload))).toBe(true)
  })

  it.each([0, 1, 2 ** 32 - 1, 2 ** 32, 2 ** 40, 2 ** 40 + 12_345, Number.MAX_SAFE_INTEGER])(
    'sequence %d survives the 64-bit split',
    (sequence) => {
      const payload = payloadOf(3)
      const record = encodeRecord(header({ sequence }, payload), payload)
      expect(expectRecord(readRecord(record, 0, checked)).header.sequence).toBe(sequence)
    },
  )

  it('an empty payload is a valid record', () => {
    const record = encodeRecord(
      header({ batchIndex: 0, batchCount: 1 }, Buffer.alloc(0)),
      Buffer.alloc(0),
    )
    const read = expectRecord(readRecord(record, 0, checked))
    expect(read.payload.length).toBe(0)
    expect(read.end).toBe(RECORD_OVERHEAD_BYTES)
  })

  it('records read back in order at their offsets in a longer buffer', () => {
    const payloads = [payloadOf(5), payloadOf(300), payloadOf(0), payloadOf(17)]
    const records = payloads.map((p, i) =>
      encodeRecord(header({ sequence: 100 + i, batchIndex: i, batchCount: 4 }, p), p),
    )
    const log = Buffer.concat([Buffer.from('prefix'), ...records])
    let offset = 'prefix'.length
    for (const [i, payload] of payloads.entries()) {
      const read = expectRecord(readRecord(log, offset, checked))
      expect(read.header.sequence).toBe(100 + i)
      expect(read.payload.equals(payload)).toBe(true)
      offset = read.end
    }
    expect(offset).toBe(log.length)
  })

  it('every single-bit flip in a header is caught, even without the digest check', () => {
    const payload = payloadOf(40)
    const record = encodeRecord(header({}, payload), payload)
    for (let bit = 0; bit < RECORD_HEADER_BYTES * 8; bit++) {
      const damaged = flipBit(record, bit)
      expect(expectBad(readRecord(damaged, 0, unchecked)), `bit ${bit}`).toMatch(
        /record magic|header checksum/,
      )
    }
  })

  it('every single-bit flip in a payload or digest is caught by the digest check', () => {
    const payload = payloadOf(40)
    const record = encodeRecord(header({}, payload), payload)
    for (let bit = RECORD_HEADER_BYTES * 8; bit < record.length * 8; bit++) {
      const damaged = flipBit(record, bit)
      expect(expectBad(readRecord(damaged, 0, checked)), `bit ${bit}`).toBe(
        'payload SHA-256 mismatch',
      )
      // Readers that skip the digest (the query path) accept it: the digest is the only guard.
      expect(readRecord(damaged, 0, unchecked).kind, `bit ${bit}`).toBe('record')
    }
  })

  it('a damaged length is never trusted, not even one that points past the end', () => {
    const payload = payloadOf(40)
    const record = encodeRecord(header({}, payload), payload)
    for (const length of [0, 39, 41, 5000, LENGTH_MAX]) {
      const damaged = Buffer.from(record)
      damaged.writeUInt32BE(length, LENGTH_AT)
      // Without the header checksum, 5000 would read as "incomplete": a torn tail to be cut.
      expect(expectBad(readRecord(damaged, 0, checked)), `length ${length}`).toBe(
        'record header checksum mismatch',
      )
    }
  })

  it('a wrong length with a matching header checksum is caught by the digest', () => {
    const payload = payloadOf(40)
    const record = encodeRecord(header({}, payload), payload)
    const tail = encodeRecord(header({}, payload), payload)
    const log = Buffer.concat([record, tail])
    for (const length of [0, 1, 39, 41, 72]) {
      const damaged = Buffer.from(log)
      damaged.writeUInt32BE(length, LENGTH_AT)
      fixRecordChecksum(damaged, 0)
      expect(expectBad(readRecord(damaged, 0, checked)), `length ${length}`).toBe(
        'payload SHA-256 mismatch',
      )
    }
  })

  it('a length over the limit is bad, not incomplete', () => {
    const payload = payloadOf(40)
    const record = encodeRecord(header({}, payload), payload)
    const reason = expectBad(readRecord(record, 0, { checkDigest: true, payloadLengthMax: 39 }))
    expect(reason).toBe('record length 40 exceeds the limit of 39 bytes')
  })

  it('an unknown record version is reported by number', () => {
    const payload = payloadOf(40)
    const record = encodeRecord(header({}, payload), payload)
    record.writeUInt8(2, VERSION_AT)
    fixRecordChecksum(record, 0)
    expect(expectBad(readRecord(record, 0, checked))).toBe('unknown record version 2')
  })

  it.each([
    { batchIndex: 0, batchCount: 0 },
    { batchIndex: 3, batchCount: 3 },
  ])('an impossible batch position $batchIndex of $batchCount is bad', (position) => {
    const payload = payloadOf(8)
    const record = encodeRecord(header(position, payload), payload)
    expect(expectBad(readRecord(record, 0, checked))).toBe(
      `batch position ${position.batchIndex} of ${position.batchCount} is impossible`,
    )
  })

  it('a record cut anywhere is incomplete, and asks for the whole record once its header is in', () => {
    const payload = payloadOf(40)
    const record = encodeRecord(header({}, payload), payload)
    for (let length = 0; length < record.length; length++) {
      const read = readRecord(record.subarray(0, length), 0, checked)
      expect(read, `cut at ${length}`).toEqual({
        kind: 'incomplete',
        needBytes: length < RECORD_HEADER_BYTES ? RECORD_HEADER_BYTES : record.length,
      })
    }
  })

  it('a short tail that cannot start a header is bad, not incomplete', () => {
    for (const tail of ['X', 'LX', 'LHX', 'LHEX', 'LHEX-and-more', '\0\0\0\0\0\0\0\0']) {
      const read = readRecord(Buffer.from(tail, 'latin1'), 0, checked)
      expect(read, JSON.stringify(tail)).toEqual({ kind: 'bad', reason: 'bad record magic' })
    }
    for (const tail of ['L', 'LH', 'LHE', 'LHEV', 'LHEV-and-more']) {
      const read = readRecord(Buffer.from(tail, 'latin1'), 0, checked)
      expect(read.kind, JSON.stringify(tail)).toBe('incomplete')
    }
  })

  it('a torn header that still matches the magic is incomplete, though its bytes are wrong', () => {
    // Only 32 bytes can prove a header; fewer are given the benefit of the doubt as a tail.
    const payload = payloadOf(40)
    const record = encodeRecord(header({}, payload), payload)
    const short = Buffer.from(record.subarray(0, RECORD_HEADER_BYTES - 1))
    short.writeUInt32BE(0xffffffff, SEQUENCE_HIGH_AT)
    expect(readRecord(short, 0, checked).kind).toBe('incomplete')
  })
})

describe('segment header', () => {
  const storeId = Buffer.from('00112233445566778899aabbccddeeff', 'hex')
  const segment: SegmentHeader = {
    segmentNumber: 4_000_000_000,
    firstSequence: 2 ** 40 + 1,
    createdAtMs: Date.UTC(2025, 0, 1, 12, 30),
    storeId,
  }

  it('a segment header round-trips every field in 64 bytes', () => {
    const bytes = encodeSegmentHeader(segment)
    expect(bytes.length).toBe(SEGMENT_HEADER_BYTES)
    expect(bytes.subarray(0, 8).toString('ascii')).toBe('LHSEGMNT')
    expect(decodeSegmentHeader(bytes)).toEqual(segment)
  })

  it('every single-bit flip of a segment header is caught', () => {
    const bytes = encodeSegmentHeader(segment)
    for (let bit = 0; bit < SEGMENT_HEADER_BYTES * 8; bit++) {
      const decoded = decodeSegmentHeader(flipBit(bytes, bit))
      expect(decoded, `bit ${bit}`).toMatch(
        /^(bad segment magic|segment header checksum mismatch)$/,
      )
    }
  })

  it('a segment header cut short is incomplete', () => {
    const bytes = encodeSegmentHeader(segment)
    for (let length = 0; length < SEGMENT_HEADER_BYTES; length++) {
      expect(decodeSegmentHeader(bytes.subarray(0, length))).toBe('segment header is incomplete')
    }
  })

  it('an unknown segment format version is reported by number', () => {
    const bytes = encodeSegmentHeader(segment)
    bytes.writeUInt16BE(2, 8)
    bytes.writeUInt32BE(crc32c(bytes, 0, 60), 60)
    expect(decodeSegmentHeader(bytes)).toBe('unknown segment format version 2')
  })
})
