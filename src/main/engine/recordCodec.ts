import { hash } from 'node:crypto'
import { crc32c } from './crc32c'

/**
 * The physical record: a 32-byte header guarded by its own CRC-32C, the MessagePack
 * payload, and the SHA-256 of the payload. Because the header has its own checksum, a
 * damaged length is never trusted. docs/FORMAT.md has the byte table.
 */
export const RECORD_MAGIC = 0x4c484556 // "LHEV"
export const RECORD_VERSION = 1
export const RECORD_HEADER_BYTES = 32
export const RECORD_DIGEST_BYTES = 32
export const RECORD_OVERHEAD_BYTES = RECORD_HEADER_BYTES + RECORD_DIGEST_BYTES
const HEADER_CHECKED_BYTES = 28
const TWO_POW_32 = 0x1_0000_0000

/** RecordHeader is what the header says about one record. */
export interface RecordHeader {
  payloadLength: number
  sequence: number
  /** Position of this record in its atomic batch (0-based) and the batch's size. */
  batchIndex: number
  batchCount: number
}

/** encodeRecord lays out header, payload and digest in one buffer ready to write. */
export function encodeRecord(header: RecordHeader, payload: Uint8Array): Buffer {
  const record = Buffer.allocUnsafe(RECORD_OVERHEAD_BYTES + payload.length)
  record.writeUInt32BE(RECORD_MAGIC, 0)
  record.writeUInt8(RECORD_VERSION, 4)
  record.writeUInt8(0, 5)
  record.writeUInt16BE(0, 6)
  record.writeUInt32BE(payload.length, 8)
  record.writeUInt32BE(header.batchCount, 12)
  record.writeUInt32BE(Math.floor(header.sequence / TWO_POW_32), 16)
  record.writeUInt32BE(header.sequence % TWO_POW_32, 20)
  record.writeUInt32BE(header.batchIndex, 24)
  record.writeUInt32BE(crc32c(record, 0, HEADER_CHECKED_BYTES), HEADER_CHECKED_BYTES)
  record.set(payload, RECORD_HEADER_BYTES)
  sha256(payload).copy(record, RECORD_HEADER_BYTES + payload.length)
  return record
}

/** recordPayload is the payload of a record built by encodeRecord. */
export function recordPayload(record: Buffer): Buffer {
  return record.subarray(RECORD_HEADER_BYTES, record.length - RECORD_DIGEST_BYTES)
}

export function sha256(bytes: Uint8Array): Buffer {
  // The one-shot hash costs less per call than createHash, which matters for small events.
  return hash('sha256', bytes, 'buffer')
}

/** The outcome of reading one record at an offset of a buffer. */
export type RecordRead =
  | { kind: 'record'; header: RecordHeader; payload: Buffer; end: number }
  | { kind: 'incomplete'; needBytes: number }
  | { kind: 'bad'; reason: string }

/**
 * readRecord parses the record at `offset`. It answers `incomplete` when the buffer ends
 * inside a record whose header is intact (the caller may have more bytes to add), and `bad`
 * with a reason for anything that is not a valid record.
 */
export function readRecord(
  buffer: Buffer,
  offset: number,
  options: { checkDigest: boolean; payloadLengthMax: number },
): RecordRead {
  const available = buffer.length - offset
  if (available < RECORD_HEADER_BYTES) {
    return available > 0 && !isHeaderPrefix(buffer, offset)
      ? { kind: 'bad', reason: 'bad record magic' }
      : { kind: 'incomplete', needBytes: RECORD_HEADER_BYTES }
  }
  const header = readHeader(buffer, offset, options.payloadLengthMax)
  if (typeof header === 'string') return { kind: 'bad', reason: header }
  const end = offset + RECORD_OVERHEAD_BYTES + header.payloadLength
  if (end > buffer.length) return { kind: 'incomplete', needBytes: end - offset }
  const payloadStart = offset + RECORD_HEADER_BYTES
  const payload = buffer.subarray(payloadStart, payloadStart + header.payloadLength)
  if (options.checkDigest) {
    const digest = sha256(payload)
    if (!digest.equals(buffer.subarray(end - RECORD_DIGEST_BYTES, end))) {
      return { kind: 'bad', reason: 'payload SHA-256 mismatch' }
    }
  }
  return { kind: 'record', header, payload, end }
}

function readHeader(
  buffer: Buffer,
  offset: number,
  payloadLengthMax: number,
): RecordHeader | string {
  if (buffer.readUInt32BE(offset) !== RECORD_MAGIC) return 'bad record magic'
  const stored = buffer.readUInt32BE(offset + HEADER_CHECKED_BYTES)
  if (crc32c(buffer, offset, offset + HEADER_CHECKED_BYTES) !== stored) {
    return 'record header checksum mismatch'
  }
  const version = buffer.readUInt8(offset + 4)
  if (version !== RECORD_VERSION) return `unknown record version ${version}`
  const payloadLength = buffer.readUInt32BE(offset + 8)
  if (payloadLength > payloadLengthMax) {
    return `record length ${payloadLength} exceeds the limit of ${payloadLengthMax} bytes`
  }
  const batchCount = buffer.readUInt32BE(offset + 12)
  const sequence = buffer.readUInt32BE(offset + 16) * TWO_POW_32 + buffer.readUInt32BE(offset + 20)
  const batchIndex = buffer.readUInt32BE(offset + 24)
  if (batchCount === 0 || batchIndex >= batchCount) {
    return `batch position ${batchIndex} of ${batchCount} is impossible`
  }
  return { payloadLength, sequence, batchIndex, batchCount }
}

/** A short tail that still matches the start of a header could be a record being written. */
function isHeaderPrefix(buffer: Buffer, offset: number): boolean {
  const magic = Buffer.allocUnsafe(4)
  magic.writeUInt32BE(RECORD_MAGIC, 0)
  const length = Math.min(4, buffer.length - offset)
  return buffer.subarray(offset, offset + length).equals(magic.subarray(0, length))
}
