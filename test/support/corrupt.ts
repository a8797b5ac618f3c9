import { appendFileSync, closeSync, openSync, readSync, truncateSync, writeSync } from 'node:fs'
import { crc32c } from '../../src/main/engine/crc32c'
import { EVENT_BYTES_MAX } from '../../src/main/engine/limits'
import { RECORD_HEADER_BYTES, readRecord } from '../../src/main/engine/recordCodec'
import { SEGMENT_HEADER_BYTES } from '../../src/main/engine/segmentHeader'

/**
 * Byte-editing helpers for corruption tests, in the manner of LevelDB's log_test.cc: each
 * one damages a real file in exactly one way, so a test states the damage in one line and
 * spends the rest on what the store must say about it.
 */

/** Bytes of a record header covered by its CRC-32C; the CRC itself follows them. */
const RECORD_HEADER_CHECKED_BYTES = RECORD_HEADER_BYTES - 4

/** flipByte XORs the byte at `offset` of the file with `mask` (one bit by default). */
export function flipByte(path: string, offset: number, mask = 1): void {
  const fd = openSync(path, 'r+')
  try {
    const byte = Buffer.alloc(1)
    if (readSync(fd, byte, 0, 1, offset) !== 1) throw new Error(`${path} has no byte ${offset}`)
    byte[0] = byte[0]! ^ mask
    writeSync(fd, byte, 0, 1, offset)
  } finally {
    closeSync(fd)
  }
}

/** truncateAt shrinks (or zero-extends) the file to `length` bytes, like a torn write. */
export function truncateAt(path: string, length: number): void {
  truncateSync(path, length)
}

/** zeroSector overwrites sector `sectorIndex` with zeros, stopping at the end of the file. */
export function zeroSector(path: string, sectorIndex: number, sectorBytes = 512): void {
  const fd = openSync(path, 'r+')
  try {
    const start = sectorIndex * sectorBytes
    const existing = Buffer.alloc(sectorBytes)
    const length = readSync(fd, existing, 0, sectorBytes, start)
    writeSync(fd, Buffer.alloc(length), 0, length, start)
  } finally {
    closeSync(fd)
  }
}

/** appendGarbage adds `bytes` at the end of the file, like a write that never finished. */
export function appendGarbage(path: string, bytes: Uint8Array): void {
  appendFileSync(path, bytes)
}

/** fixRecordChecksum recomputes the header CRC of the record at `offset` after an edit. */
export function fixRecordChecksum(segment: Buffer, offset: number): void {
  const crc = crc32c(segment, offset, offset + RECORD_HEADER_CHECKED_BYTES)
  segment.writeUInt32BE(crc, offset + RECORD_HEADER_CHECKED_BYTES)
}

/** readSegmentRecordOffsets lists where each intact record of a raw segment starts. */
export function readSegmentRecordOffsets(segment: Buffer): number[] {
  const offsets: number[] = []
  const options = { checkDigest: true, payloadLengthMax: EVENT_BYTES_MAX }
  let offset = SEGMENT_HEADER_BYTES
  for (;;) {
    const read = readRecord(segment, offset, options)
    if (read.kind !== 'record') return offsets
    offsets.push(offset)
    offset = read.end
  }
}
