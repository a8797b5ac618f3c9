import { inflate } from './inflate'
import type { FileSystem } from './fileSystem'
import type { SegmentManifest } from './manifest'
import { decodeManifest } from './manifest'
import { bufferSource, fileSource } from './byteSource'
import type { SegmentDamage, SegmentScan } from './segmentScanner'
import { scanSegment } from './segmentScanner'
import { sha256 } from './recordCodec'
import { manifestName, sealedName, segmentLogName } from './segmentNames'

/** SegmentCheck is what one segment holds, as far as it could be read. */
export interface SegmentCheck {
  segmentNumber: number
  /** The file a person would look at: the raw log, or the sealed .gz. */
  name: string
  sealed: boolean
  /** First sequence the segment claims to start at (its header or manifest). */
  firstSequence: number | null
  lastSequence: number | null
  records: number
  /** Size of the file on disk. */
  bytes: number
  /** Uncompressed size up to the end of the last complete batch. */
  validEnd: number
  createdAtMs: number
  lastPayload: Buffer | null
  /** Id of the last intact event, when known without decoding (manifest, clean marker). */
  lastEventId: string | null
  damage: SegmentDamage | null
  manifest: SegmentManifest | null
  /** A sealed segment whose data is intact but whose manifest is wrong or missing. */
  manifestProblem: string | null
}

export interface CheckOptions {
  storeId: Buffer
  mayHaveTornTail: boolean
  /** Read sealed segments whole (verify) instead of trusting their manifests (open). */
  deep: boolean
  checkDigest: boolean
}

/** checkLog scans a raw segment up to its current size. */
export async function checkLog(
  fs: FileSystem,
  dir: string,
  segmentNumber: number,
  options: CheckOptions,
): Promise<SegmentCheck> {
  const name = segmentLogName(segmentNumber)
  const handle = await fs.open(`${dir}/${name}`, 'read')
  const size = await handle.size()
  const source = fileSource(handle, size)
  try {
    const scan = await scanSegment(source, { ...options, expectedFirstSequence: null })
    return fromScan(segmentNumber, name, false, size, scan, null)
  } finally {
    await source.close()
  }
}

/**
 * checkSealed accounts for a sealed segment. An open trusts a valid manifest whose size
 * matches the file; anything else, and every `deep` check, inflates the whole file and
 * scans every record. Intact data under a wrong or missing manifest is not damage: the
 * manifest is derived data, reported in `manifestProblem` for a writer to rebuild.
 */
export async function checkSealed(
  fs: FileSystem,
  dir: string,
  segmentNumber: number,
  options: CheckOptions,
): Promise<SegmentCheck> {
  const name = sealedName(segmentNumber)
  const manifestBytes = await fs.readFile(`${dir}/${manifestName(segmentNumber)}`).catch(() => null)
  const manifest = manifestBytes ? decodeManifest(manifestBytes) : 'manifest is missing'
  const size = await fs.size(`${dir}/${name}`)
  if (size === null) {
    // Only the manifest is left: the events it names are gone from the store.
    const known = typeof manifest === 'string' ? null : manifest
    return {
      ...emptyCheck(segmentNumber, name, 0),
      firstSequence: known?.first_sequence ?? null,
      damage: {
        kind: 'corrupt',
        offset: 0,
        reason: 'sealed file is missing; only its manifest is left',
        cutOffset: 0,
      },
    }
  }
  if (!options.deep && typeof manifest !== 'string' && manifest.gz_bytes === size) {
    return fromManifest(segmentNumber, name, size, manifest)
  }
  const gz = await fs.readFile(`${dir}/${name}`)
  let raw: Buffer
  try {
    // zlib's default 16 KiB output chunks cost a thread-pool round trip each: 5x slower.
    raw = await inflate(gz)
  } catch (error) {
    return {
      ...emptyCheck(segmentNumber, name, gz.length),
      damage: {
        kind: 'corrupt',
        offset: 0,
        reason: `gzip data is unreadable: ${(error as Error).message}`,
        cutOffset: 0,
      },
    }
  }
  const scan = await scanSegment(bufferSource(raw), {
    ...options,
    mayHaveTornTail: false,
    expectedFirstSequence: null,
  })
  const valid = typeof manifest === 'string' ? null : manifest
  const check = fromScan(segmentNumber, name, true, gz.length, scan, valid)
  if (!check.damage) check.manifestProblem = manifestMismatch(manifest, gz, check)
  return check
}

/** manifestMismatch says why a manifest does not describe its intact sealed file, or null. */
function manifestMismatch(
  manifest: SegmentManifest | string,
  gz: Buffer,
  check: SegmentCheck,
): string | null {
  if (typeof manifest === 'string') return manifest
  if (manifest.gz_bytes !== gz.length) {
    return `sealed file is ${gz.length} bytes, its manifest says ${manifest.gz_bytes}`
  }
  if (sha256(gz).toString('hex') !== manifest.gz_sha256) {
    return 'sealed file SHA-256 differs from its manifest'
  }
  if (manifest.last_sequence !== check.lastSequence || manifest.records !== check.records) {
    return `manifest says ${manifest.records} events up to ${manifest.last_sequence}, the file holds ${check.records} up to ${check.lastSequence}`
  }
  return null
}

function fromScan(
  segmentNumber: number,
  name: string,
  sealed: boolean,
  bytes: number,
  scan: SegmentScan,
  manifest: SegmentManifest | null,
): SegmentCheck {
  return {
    segmentNumber,
    name,
    sealed,
    firstSequence: scan.header?.firstSequence ?? null,
    lastSequence: scan.header ? (scan.lastSequence ?? scan.header.firstSequence - 1) : null,
    records: scan.records,
    bytes,
    validEnd: scan.validEnd,
    createdAtMs: scan.header?.createdAtMs ?? 0,
    lastPayload: scan.lastPayload,
    lastEventId: null,
    damage: scan.damage,
    manifest,
    manifestProblem: null,
  }
}

function fromManifest(
  segmentNumber: number,
  name: string,
  bytes: number,
  manifest: SegmentManifest,
): SegmentCheck {
  return {
    segmentNumber,
    name,
    sealed: true,
    firstSequence: manifest.first_sequence,
    lastSequence: manifest.last_sequence,
    records: manifest.records,
    bytes,
    validEnd: manifest.raw_bytes,
    createdAtMs: Date.parse(manifest.sealed_at),
    lastPayload: null,
    lastEventId: manifest.records > 0 ? manifest.last_event_id : null,
    damage: null,
    manifest,
    manifestProblem: null,
  }
}

function emptyCheck(segmentNumber: number, name: string, bytes: number): SegmentCheck {
  return {
    segmentNumber,
    name,
    sealed: true,
    firstSequence: null,
    lastSequence: null,
    records: 0,
    bytes,
    validEnd: 0,
    createdAtMs: 0,
    lastPayload: null,
    lastEventId: null,
    damage: null,
    manifest: null,
    manifestProblem: null,
  }
}
