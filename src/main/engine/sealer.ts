import { promisify } from 'node:util'
import * as zlib from 'node:zlib'
import { inflate } from './inflate'
import type { FileSystem } from './fileSystem'
import { writeTempFile } from './fileSystem'
import type { SegmentManifest } from './manifest'
import { encodeManifest } from './manifest'
import { bufferSource } from './byteSource'
import { scanSegment } from './segmentScanner'
import { walkRecords } from './recordIterator'
import { SEGMENT_HEADER_BYTES } from './segmentHeader'
import { decodeEvent } from './eventCodec'
import { manifestName, sealedName, segmentLogName } from './segmentNames'
import { CorruptionError } from './errors'
import { sha256 } from './recordCodec'
import { SEAL_MEMBER_BYTES } from './limits'
import { buildSegmentIndex, writeSegmentIndex } from './segmentIndexBuilder'

const gzip = promisify(zlib.gzip)

/**
 * sealSegment compresses a finished raw segment into independent gzip members of about
 * SEAL_MEMBER_BYTES each (so `zcat` reads the file whole and a reader can start at any
 * member), writes its manifest, and only then removes the raw segment:
 * temp files, fsync, rename, fsync the directory, unlink, fsync the directory again.
 * The raw segment is checked record by record first: damage is never sealed in.
 */
export async function sealSegment(
  fs: FileSystem,
  dir: string,
  segmentNumber: number,
  storeId: Buffer,
  nowMs: () => number,
): Promise<SegmentManifest> {
  const raw = await fs.readFile(`${dir}/${segmentLogName(segmentNumber)}`)
  const sealed = await compress(raw, segmentLogName(segmentNumber), segmentNumber, storeId, nowMs)
  await writeSealed(fs, dir, segmentNumber, sealed.gz, encodeManifest(sealed.manifest))
  // The index is derived data: written after the pair it describes, rebuilt if it is lost.
  await writeSegmentIndex(fs, dir, segmentNumber, sealed.index)
  await fs.unlink(`${dir}/${segmentLogName(segmentNumber)}`)
  await fs.syncDir(dir)
  return sealed.manifest
}

/**
 * rebuildSealed writes a sealed segment and its manifest again from the sealed file's own
 * intact contents: the manifest is derived data, so a damaged one is replaced, not believed.
 */
export async function rebuildSealed(
  fs: FileSystem,
  dir: string,
  segmentNumber: number,
  storeId: Buffer,
  nowMs: () => number,
): Promise<SegmentManifest> {
  const raw = await inflate(await fs.readFile(`${dir}/${sealedName(segmentNumber)}`))
  const sealed = await compress(raw, sealedName(segmentNumber), segmentNumber, storeId, nowMs)
  await writeSealed(fs, dir, segmentNumber, sealed.gz, encodeManifest(sealed.manifest))
  await writeSegmentIndex(fs, dir, segmentNumber, sealed.index)
  return sealed.manifest
}

/**
 * compress checks every record of a raw segment, then builds its gzip members, manifest
 * and segment index.
 */
async function compress(
  raw: Buffer,
  name: string,
  segmentNumber: number,
  storeId: Buffer,
  nowMs: () => number,
): Promise<{ gz: Buffer; manifest: SegmentManifest; index: Buffer }> {
  const scan = await scanSegment(bufferSource(raw), {
    mayHaveTornTail: false,
    checkDigest: true,
    storeId,
    expectedFirstSequence: null,
  })
  if (scan.damage) throw new CorruptionError(name, scan.damage.offset, scan.damage.reason)
  const layout = await planMembers(raw)
  const members: Buffer[] = []
  const offsets: [number, number][] = []
  let gzOffset = 0
  for (let i = 0; i < layout.cuts.length; i++) {
    const start = layout.cuts[i]!
    const end = layout.cuts[i + 1] ?? raw.length
    const member = await gzip(raw.subarray(start, end), { level: 6 })
    offsets.push([start, gzOffset])
    members.push(member)
    gzOffset += member.length
  }
  const gz = Buffer.concat(members)
  const first = scan.firstSequence ?? scan.header?.firstSequence ?? 1
  const manifest: SegmentManifest = {
    format: 'lighthouse-segment-manifest',
    version: 1,
    segment_number: segmentNumber,
    store_id: storeId.toString('hex'),
    first_sequence: first,
    last_sequence: scan.lastSequence ?? first - 1,
    records: scan.records,
    ...layout.timestamps,
    raw_bytes: raw.length,
    gz_bytes: gz.length,
    gz_sha256: sha256(gz).toString('hex'),
    members: offsets,
    sealed_at: new Date(nowMs()).toISOString(),
  }
  return { gz, manifest, index: await buildSegmentIndex(raw, manifest) }
}

async function writeSealed(
  fs: FileSystem,
  dir: string,
  segmentNumber: number,
  gz: Buffer,
  manifest: Buffer,
): Promise<void> {
  const files: [string, Buffer][] = [
    [sealedName(segmentNumber), gz],
    [manifestName(segmentNumber), manifest],
  ]
  for (const [name, bytes] of files) await writeTempFile(fs, dir, name, bytes)
  // The gzip file is renamed first: a manifest never names a file that is not there.
  for (const [name] of files) await fs.rename(`${dir}/${name}.tmp`, `${dir}/${name}`)
  await fs.syncDir(dir)
}

interface MemberPlan {
  cuts: number[]
  timestamps: Pick<
    SegmentManifest,
    'first_timestamp' | 'last_timestamp' | 'min_timestamp' | 'max_timestamp' | 'last_event_id'
  >
}

/** planMembers cuts the segment at record boundaries into members of about SEAL_MEMBER_BYTES. */
async function planMembers(raw: Buffer): Promise<MemberPlan> {
  const cuts = [0]
  let memberStart = 0
  const times: string[] = []
  let min = ''
  let max = ''
  let lastEventId = ''
  await walkRecords(bufferSource(raw), SEGMENT_HEADER_BYTES, false, (record) => {
    const { timestamp, event_id } = decodeEvent(record.payload)
    lastEventId = event_id
    if (times.length === 0) times.push(timestamp)
    times[1] = timestamp
    if (min === '' || timestamp < min) min = timestamp
    if (max === '' || timestamp > max) max = timestamp
    if (record.end - memberStart >= SEAL_MEMBER_BYTES && record.end < raw.length) {
      cuts.push(record.end)
      memberStart = record.end
    }
  })
  return {
    cuts,
    timestamps: {
      first_timestamp: times[0] ?? '',
      last_timestamp: times[1] ?? '',
      min_timestamp: min,
      max_timestamp: max,
      last_event_id: lastEventId,
    },
  }
}
