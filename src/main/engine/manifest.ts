import { createHash } from 'node:crypto'

/**
 * The manifest of a sealed segment: what the gzip file holds, where each gzip member
 * starts, and the SHA-256 of the gzip file. It carries its own checksum, so a damaged
 * manifest is noticed rather than believed. It is derived data: it can be rebuilt from the
 * sealed file.
 */
export interface SegmentManifest {
  format: 'lighthouse-segment-manifest'
  version: 1
  segment_number: number
  store_id: string
  first_sequence: number
  last_sequence: number
  records: number
  first_timestamp: string
  last_timestamp: string
  min_timestamp: string
  max_timestamp: string
  /** Id of the last event, whose timestamp keeps the append clock increasing. */
  last_event_id: string
  raw_bytes: number
  gz_bytes: number
  gz_sha256: string
  /** One entry per gzip member: [offset in the raw segment, offset in the gzip file]. */
  members: [number, number][]
  sealed_at: string
}

export function encodeManifest(manifest: SegmentManifest): Buffer {
  const body = JSON.stringify(manifest)
  const checksum = createHash('sha256').update(body).digest('hex')
  return Buffer.from(`${JSON.stringify({ ...manifest, checksum })}\n`)
}

/** decodeManifest returns the manifest, or a reason why these bytes are not a valid one. */
export function decodeManifest(bytes: Buffer): SegmentManifest | string {
  let parsed: unknown
  try {
    parsed = JSON.parse(bytes.toString('utf8'))
  } catch {
    return 'manifest is not valid JSON'
  }
  if (typeof parsed !== 'object' || parsed === null) return 'manifest is not an object'
  const { checksum, ...manifest } = parsed as { checksum?: unknown } & SegmentManifest
  if (manifest.format !== 'lighthouse-segment-manifest') return 'manifest has an unknown format'
  const expected = createHash('sha256').update(JSON.stringify(manifest)).digest('hex')
  if (checksum !== expected) return 'manifest checksum mismatch'
  return manifest
}
