import { createHash } from 'node:crypto'
import type { SegmentManifest } from './manifest'
import type { ExactField } from './eventFilter'
import { crc32c } from './crc32c'

/**
 * A segment index is derived data about one sealed segment: where each gzip member starts
 * (with its first sequence and its time range), and for each exact-match field the sorted
 * distinct values with the sequences that carry them. It names the segment it describes
 * (number, sequences, sizes, SHA-256 of the gzip file) and carries a SHA-256 of its own
 * bytes, so an index that is damaged or describes another segment is never believed: the
 * log stays the source of truth, and an unusable index only costs a scan.
 *
 * Layout (big-endian; see docs/FORMAT.md, "Segment index"): a 176-byte header, the member
 * table, one section per field, and the SHA-256 of everything before it.
 */
export const INDEX_FIELDS: readonly ExactField[] = [
  'event_type',
  'aggregate_id',
  'aggregate_type',
  'source_agent',
  'source_component',
  'correlation_id',
  'causation_id',
]

const MAGIC = Buffer.from('LHINDEX1', 'ascii')
const VERSION = 1
export const INDEX_HEADER_BYTES = 176
const SECTION_TABLE_AT = 88
const SECTION_ENTRY_BYTES = 12
const HEADER_CRC_AT = 172
const MEMBER_ENTRY_BYTES = 40
const DIGEST_BYTES = 32
/** Numbers per member in IndexSummary.members: first sequence, raw, gzip, min time, max time. */
export const MEMBER_STRIDE = 5

/** IndexedSegment is the identity of the sealed segment an index describes. */
export interface IndexedSegment {
  segmentNumber: number
  firstSequence: number
  lastSequence: number
  records: number
  rawBytes: number
  gzBytes: number
  /** SHA-256 of the gzip file, hex. */
  gzSha256: string
}

/** IndexMember is one gzip member: its first sequence, offsets and event time range. */
export interface IndexMember {
  firstSequence: number
  rawOffset: number
  gzOffset: number
  /** Smallest and largest event time in ms (+Infinity / -Infinity when none parses). */
  minTimeMs: number
  maxTimeMs: number
}

/** Where one field's section lies in the index file, and its CRC-32C. */
export interface SectionRef {
  offset: number
  length: number
  crc: number
}

/**
 * IndexSummary is what stays in memory per sealed segment: its identity, the member table
 * (MEMBER_STRIDE numbers per member) and where each field's section lies. Postings are
 * read from the file on demand.
 */
export interface IndexSummary extends IndexedSegment {
  members: Float64Array
  sections: SectionRef[]
}

/** encodeSegmentIndex writes an index; `postings[f]` maps each value of INDEX_FIELDS[f]. */
export function encodeSegmentIndex(
  segment: IndexedSegment,
  members: readonly IndexMember[],
  postings: readonly Map<string, number[]>[],
): Buffer {
  const sections = INDEX_FIELDS.map((_, f) =>
    encodeSection(postings[f] ?? new Map<string, number[]>(), segment.firstSequence),
  )
  const memberTable = Buffer.alloc(members.length * MEMBER_ENTRY_BYTES)
  members.forEach((member, i) => {
    const at = i * MEMBER_ENTRY_BYTES
    writeU64(memberTable, member.firstSequence, at)
    writeU64(memberTable, member.rawOffset, at + 8)
    writeU64(memberTable, member.gzOffset, at + 16)
    memberTable.writeDoubleBE(member.minTimeMs, at + 24)
    memberTable.writeDoubleBE(member.maxTimeMs, at + 32)
  })
  const header = Buffer.alloc(INDEX_HEADER_BYTES)
  MAGIC.copy(header, 0)
  header.writeUInt16BE(VERSION, 8)
  header.writeUInt16BE(INDEX_HEADER_BYTES, 10)
  header.writeUInt32BE(segment.segmentNumber, 12)
  writeU64(header, segment.firstSequence, 16)
  writeU64(header, segment.lastSequence, 24)
  header.writeUInt32BE(segment.records, 32)
  header.writeUInt32BE(members.length, 36)
  writeU64(header, segment.rawBytes, 40)
  writeU64(header, segment.gzBytes, 48)
  Buffer.from(segment.gzSha256, 'hex').copy(header, 56)
  let offset = INDEX_HEADER_BYTES + memberTable.length
  sections.forEach((section, f) => {
    const at = SECTION_TABLE_AT + f * SECTION_ENTRY_BYTES
    header.writeUInt32BE(offset, at)
    header.writeUInt32BE(section.length, at + 4)
    header.writeUInt32BE(crc32c(section), at + 8)
    offset += section.length
  })
  header.writeUInt32BE(crc32c(header, 0, HEADER_CRC_AT), HEADER_CRC_AT)
  const body = Buffer.concat([header, memberTable, ...sections])
  return Buffer.concat([body, createHash('sha256').update(body).digest()])
}

/**
 * decodeIndexSummary checks a whole index file (its SHA-256, header and bounds) and returns
 * its summary, or a sentence saying why these bytes are not a usable index.
 */
export function decodeIndexSummary(bytes: Buffer): IndexSummary | string {
  if (bytes.length < INDEX_HEADER_BYTES + DIGEST_BYTES) return 'index file is too short'
  const bodyEnd = bytes.length - DIGEST_BYTES
  const digest = createHash('sha256').update(bytes.subarray(0, bodyEnd)).digest()
  if (!digest.equals(bytes.subarray(bodyEnd))) return 'index checksum mismatch'
  if (!bytes.subarray(0, 8).equals(MAGIC)) return 'index has an unknown magic'
  if (bytes.readUInt16BE(8) !== VERSION) return 'index has an unknown version'
  if (bytes.readUInt32BE(HEADER_CRC_AT) !== crc32c(bytes, 0, HEADER_CRC_AT)) {
    return 'index header checksum mismatch'
  }
  const memberCount = bytes.readUInt32BE(36)
  const membersEnd = INDEX_HEADER_BYTES + memberCount * MEMBER_ENTRY_BYTES
  if (membersEnd > bodyEnd) return 'index member table runs past the end'
  const members = new Float64Array(memberCount * MEMBER_STRIDE)
  for (let i = 0; i < memberCount; i++) {
    const at = INDEX_HEADER_BYTES + i * MEMBER_ENTRY_BYTES
    members[i * MEMBER_STRIDE] = readU64(bytes, at)
    members[i * MEMBER_STRIDE + 1] = readU64(bytes, at + 8)
    members[i * MEMBER_STRIDE + 2] = readU64(bytes, at + 16)
    members[i * MEMBER_STRIDE + 3] = bytes.readDoubleBE(at + 24)
    members[i * MEMBER_STRIDE + 4] = bytes.readDoubleBE(at + 32)
  }
  const sections = INDEX_FIELDS.map((_, f): SectionRef => {
    const at = SECTION_TABLE_AT + f * SECTION_ENTRY_BYTES
    return {
      offset: bytes.readUInt32BE(at),
      length: bytes.readUInt32BE(at + 4),
      crc: bytes.readUInt32BE(at + 8),
    }
  })
  if (sections.some((s) => s.offset < membersEnd || s.offset + s.length > bodyEnd)) {
    return 'index section lies outside the file'
  }
  return {
    segmentNumber: bytes.readUInt32BE(12),
    firstSequence: readU64(bytes, 16),
    lastSequence: readU64(bytes, 24),
    records: bytes.readUInt32BE(32),
    rawBytes: readU64(bytes, 40),
    gzBytes: readU64(bytes, 48),
    gzSha256: bytes.subarray(56, 88).toString('hex'),
    members,
    sections,
  }
}

/** indexedSegmentOf is the identity a manifest gives its sealed segment. */
export function indexedSegmentOf(manifest: SegmentManifest): IndexedSegment {
  return {
    segmentNumber: manifest.segment_number,
    firstSequence: manifest.first_sequence,
    lastSequence: manifest.last_sequence,
    records: manifest.records,
    rawBytes: manifest.raw_bytes,
    gzBytes: manifest.gz_bytes,
    gzSha256: manifest.gz_sha256,
  }
}

/** sameSegment tells whether an index's identity is exactly that of a segment. */
export function sameSegment(a: IndexedSegment, b: IndexedSegment): boolean {
  return (
    a.segmentNumber === b.segmentNumber &&
    a.firstSequence === b.firstSequence &&
    a.lastSequence === b.lastSequence &&
    a.records === b.records &&
    a.rawBytes === b.rawBytes &&
    a.gzBytes === b.gzBytes &&
    a.gzSha256 === b.gzSha256
  )
}

/**
 * Field section: value count n; n + 1 pairs (key start, postings start), offsets from the
 * section start, the last pair marking the ends; the keys (UTF-8, sorted by bytes); the
 * postings (unsigned LEB128: the first sequence minus the segment's first, then deltas).
 */
function encodeSection(values: Map<string, number[]>, firstSequence: number): Buffer {
  const keys = [...values.keys()].map((key) => Buffer.from(key, 'utf8'))
  keys.sort((a, b) => Buffer.compare(a, b))
  const tableBytes = 4 + (keys.length + 1) * 8
  const keyBytes = keys.reduce((sum, key) => sum + key.length, 0)
  const postings: Buffer[] = keys.map((key) =>
    encodeVarints(values.get(key.toString('utf8'))!, firstSequence),
  )
  const postingBytes = postings.reduce((sum, p) => sum + p.length, 0)
  const section = Buffer.alloc(tableBytes + keyBytes + postingBytes)
  section.writeUInt32BE(keys.length, 0)
  let keyAt = tableBytes
  let postingAt = tableBytes + keyBytes
  for (let i = 0; i <= keys.length; i++) {
    section.writeUInt32BE(keyAt, 4 + i * 8)
    section.writeUInt32BE(postingAt, 8 + i * 8)
    const key = keys[i]
    const posting = postings[i]
    if (!key || !posting) break
    key.copy(section, keyAt)
    posting.copy(section, postingAt)
    keyAt += key.length
    postingAt += posting.length
  }
  return section
}

/**
 * lookupPostings returns the sequences carrying `value` in a field section (binary search
 * over its sorted keys), or an empty list when no event of the segment has it.
 */
export function lookupPostings(section: Buffer, value: string, firstSequence: number): number[] {
  const target = Buffer.from(value, 'utf8')
  const count = section.readUInt32BE(0)
  let low = 0
  let high = count - 1
  while (low <= high) {
    const middle = (low + high) >> 1
    const keyStart = section.readUInt32BE(4 + middle * 8)
    const keyEnd = section.readUInt32BE(4 + (middle + 1) * 8)
    const order = Buffer.compare(section.subarray(keyStart, keyEnd), target)
    if (order === 0) {
      const start = section.readUInt32BE(8 + middle * 8)
      const end = section.readUInt32BE(8 + (middle + 1) * 8)
      return decodeVarints(section, start, end, firstSequence)
    }
    if (order < 0) low = middle + 1
    else high = middle - 1
  }
  return []
}

function encodeVarints(sequences: readonly number[], firstSequence: number): Buffer {
  const bytes: number[] = []
  let previous = firstSequence
  for (const sequence of sequences) {
    let delta = sequence - previous
    previous = sequence
    while (delta >= 0x80) {
      bytes.push((delta % 0x80) | 0x80)
      delta = Math.floor(delta / 0x80)
    }
    bytes.push(delta)
  }
  return Buffer.from(bytes)
}

function decodeVarints(bytes: Buffer, start: number, end: number, firstSequence: number): number[] {
  const sequences: number[] = []
  let previous = firstSequence
  let delta = 0
  let scale = 1
  for (let i = start; i < end; i++) {
    const byte = bytes[i]!
    delta += (byte & 0x7f) * scale
    if (byte & 0x80) {
      scale *= 0x80
      continue
    }
    previous += delta
    sequences.push(previous)
    delta = 0
    scale = 1
  }
  return sequences
}

function writeU64(buffer: Buffer, value: number, at: number): void {
  buffer.writeUInt32BE(Math.floor(value / 2 ** 32), at)
  buffer.writeUInt32BE(value % 2 ** 32, at + 4)
}

function readU64(buffer: Buffer, at: number): number {
  return buffer.readUInt32BE(at) * 2 ** 32 + buffer.readUInt32BE(at + 4)
}

/** indexName is the file name of a sealed segment's index. */
export function indexName(segmentNumber: number): string {
  return `segment-${String(segmentNumber).padStart(10, '0')}.index`
}

/** parseIndexName returns the segment number of an index file name, or null. */
export function parseIndexName(name: string): number | null {
  const match = /^segment-(\d{10})\.index$/.exec(name)
  return match ? Number(match[1]) : null
}
