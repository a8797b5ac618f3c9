import { inflate } from './inflate'
import type { FileSystem } from './fileSystem'
import { writeFileDurably } from './fileSystem'
import type { SegmentManifest } from './manifest'
import type { IndexMember } from './segmentIndex'
import { encodeSegmentIndex, INDEX_FIELDS, indexedSegmentOf, indexName } from './segmentIndex'
import { bufferSource } from './byteSource'
import { walkRecords } from './recordIterator'
import { SEGMENT_HEADER_BYTES } from './segmentHeader'
import { readIndexedFields } from './eventFields'
import { sealedName } from './segmentNames'
import { sha256 } from './recordCodec'
import { CorruptionError } from './errors'

/**
 * buildSegmentIndex walks every record of a segment's raw bytes, laid out in gzip members
 * as its manifest says, and encodes the segment's index. The sealer calls it with the
 * bytes it has just compressed; a writer calls it again (rebuildSegmentIndex) for an index
 * that is missing, stale or damaged.
 */
export async function buildSegmentIndex(raw: Buffer, manifest: SegmentManifest): Promise<Buffer> {
  const postings = INDEX_FIELDS.map(() => new Map<string, number[]>())
  const members: IndexMember[] = manifest.members.map(([rawOffset, gzOffset]) => ({
    firstSequence: manifest.first_sequence,
    rawOffset,
    gzOffset,
    minTimeMs: Number.POSITIVE_INFINITY,
    maxTimeMs: Number.NEGATIVE_INFINITY,
  }))
  let memberIndex = -1
  const end = await walkRecords(bufferSource(raw), SEGMENT_HEADER_BYTES, false, (record) => {
    const sequence = record.header.sequence
    while ((members[memberIndex + 1]?.rawOffset ?? Infinity) <= record.offset) {
      memberIndex++
      members[memberIndex]!.firstSequence = sequence
    }
    const member = members[memberIndex]!
    const event = readIndexedFields(record.payload)
    const timeMs = Date.parse(event.timestamp)
    if (timeMs < member.minTimeMs) member.minTimeMs = timeMs
    if (timeMs > member.maxTimeMs) member.maxTimeMs = timeMs
    INDEX_FIELDS.forEach((field, f) => {
      const value = event[field]
      if (typeof value !== 'string') return
      const map = postings[f]!
      const list = map.get(value)
      if (list) list.push(sequence)
      else map.set(value, [sequence])
    })
  })
  if (end.kind !== 'end') {
    throw new CorruptionError(sealedName(manifest.segment_number), end.offset, 'cannot index it')
  }
  const segment = indexedSegmentOf(manifest)
  return encodeSegmentIndex(segment, members, postings)
}

/** writeSegmentIndex makes the index file appear whole or not at all. */
export async function writeSegmentIndex(
  fs: FileSystem,
  dir: string,
  segmentNumber: number,
  bytes: Buffer,
): Promise<void> {
  await writeFileDurably(fs, dir, indexName(segmentNumber), bytes)
}

/**
 * rebuildSegmentIndex builds a sealed segment's index again from its gzip file and writes
 * it. The gzip file must be the one its manifest describes (same SHA-256); otherwise no
 * index is written and the reason is returned: the damage is for `verify` and recovery to
 * report, and queries keep scanning that segment, which reports it when read.
 */
export async function rebuildSegmentIndex(
  fs: FileSystem,
  dir: string,
  manifest: SegmentManifest,
): Promise<Buffer | string> {
  const gz = await fs.readFile(`${dir}/${sealedName(manifest.segment_number)}`)
  if (sha256(gz).toString('hex') !== manifest.gz_sha256) {
    return 'sealed file SHA-256 differs from its manifest'
  }
  const raw = await inflate(gz)
  if (raw.length !== manifest.raw_bytes) return 'sealed file inflates to another size'
  const bytes = await buildSegmentIndex(raw, manifest)
  await writeSegmentIndex(fs, dir, manifest.segment_number, bytes)
  return bytes
}
