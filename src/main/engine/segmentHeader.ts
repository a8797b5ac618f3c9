import { crc32c } from './crc32c'

/**
 * Every segment file starts with this 64-byte header, guarded by CRC-32C. It names the
 * store (so a file copied from another store is noticed) and the first sequence the
 * segment holds (so an empty segment still says where the log continues).
 */
export const SEGMENT_MAGIC = Buffer.from('LHSEGMNT', 'ascii')
export const SEGMENT_FORMAT_VERSION = 1
export const SEGMENT_HEADER_BYTES = 64
const CHECKED_BYTES = 60
const TWO_POW_32 = 0x1_0000_0000

export interface SegmentHeader {
  segmentNumber: number
  firstSequence: number
  createdAtMs: number
  /** 16 bytes, the store id from store.json. */
  storeId: Buffer
}

export function encodeSegmentHeader(header: SegmentHeader): Buffer {
  const bytes = Buffer.alloc(SEGMENT_HEADER_BYTES)
  SEGMENT_MAGIC.copy(bytes, 0)
  bytes.writeUInt16BE(SEGMENT_FORMAT_VERSION, 8)
  bytes.writeUInt16BE(SEGMENT_HEADER_BYTES, 10)
  bytes.writeUInt32BE(header.segmentNumber, 12)
  writeUInt64(bytes, 16, header.firstSequence)
  writeUInt64(bytes, 24, header.createdAtMs)
  header.storeId.copy(bytes, 32, 0, 16)
  bytes.writeUInt32BE(crc32c(bytes, 0, CHECKED_BYTES), CHECKED_BYTES)
  return bytes
}

/** decodeSegmentHeader returns the header, or a reason why these bytes are not one. */
export function decodeSegmentHeader(bytes: Buffer): SegmentHeader | string {
  if (bytes.length < SEGMENT_HEADER_BYTES) return 'segment header is incomplete'
  if (!bytes.subarray(0, 8).equals(SEGMENT_MAGIC)) return 'bad segment magic'
  if (crc32c(bytes, 0, CHECKED_BYTES) !== bytes.readUInt32BE(CHECKED_BYTES)) {
    return 'segment header checksum mismatch'
  }
  const version = bytes.readUInt16BE(8)
  if (version !== SEGMENT_FORMAT_VERSION) return `unknown segment format version ${version}`
  return {
    segmentNumber: bytes.readUInt32BE(12),
    firstSequence: readUInt64(bytes, 16),
    createdAtMs: readUInt64(bytes, 24),
    storeId: Buffer.from(bytes.subarray(32, 48)),
  }
}

function writeUInt64(bytes: Buffer, offset: number, value: number): void {
  bytes.writeUInt32BE(Math.floor(value / TWO_POW_32), offset)
  bytes.writeUInt32BE(value % TWO_POW_32, offset + 4)
}

function readUInt64(bytes: Buffer, offset: number): number {
  return bytes.readUInt32BE(offset) * TWO_POW_32 + bytes.readUInt32BE(offset + 4)
}
