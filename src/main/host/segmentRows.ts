import type { SegmentInfo } from '../../shared/storeApi'
import type { SegmentSummary } from '../../shared/report'
import { decodeManifest } from '../engine/manifest'
import { manifestName, parseSegmentFileName } from '../engine/segmentNames'
import { readVerificationRecord } from '../engine/verificationRecord'
import type { FileCheck, HostedStore } from './hostedStore'

/**
 * segmentRows builds the Files view: one row per segment, with its checksum status from
 * the newest source that knows it: a verification this host ran (with its problems), else
 * the store's verification.json (status and time only; it keeps no problems), else
 * `unverified`. Time ranges come from a sealed segment's manifest, or from the first and
 * last events of a raw one, which the store reads by sequence without scanning.
 */
export async function segmentRows(hosted: HostedStore): Promise<SegmentInfo[]> {
  const store = hosted.store
  const { fs, dir } = store.files
  const segments = store.inspect().segments
  const recorded = (await readVerificationRecord(fs, dir)).files
  const rows: SegmentInfo[] = []
  for (const [index, segment] of segments.entries()) {
    const times = segment.sealed
      ? await sealedTimes(hosted, segment)
      : await rawTimes(hosted, segment)
    const record = recorded[segment.name]
    const check: FileCheck = hosted.checks.get(segment.name) ?? {
      status: record?.status ?? 'unverified',
      problems: [],
      verified_at: record?.verified_at ?? null,
    }
    rows.push({
      name: segment.name,
      active: !segment.sealed && index === segments.length - 1,
      compressed: segment.sealed,
      bytes: segment.bytes,
      records: segment.records,
      first_sequence: segment.first_sequence,
      last_sequence: segment.last_sequence,
      first_timestamp: times.first,
      last_timestamp: times.last,
      checksum: check.status,
      problems: check.problems,
      last_verified_at: check.verified_at,
    })
  }
  return rows
}

interface TimeRange {
  first: string | null
  last: string | null
}

const NO_TIMES: TimeRange = { first: null, last: null }

async function sealedTimes(hosted: HostedStore, segment: SegmentSummary): Promise<TimeRange> {
  const parsed = parseSegmentFileName(segment.name)
  if (!parsed) return NO_TIMES
  const { fs, dir } = hosted.store.files
  try {
    const manifest = decodeManifest(
      await fs.readFile(`${dir}/${manifestName(parsed.segmentNumber)}`),
    )
    if (typeof manifest === 'string') return NO_TIMES
    return { first: manifest.first_timestamp, last: manifest.last_timestamp }
  } catch {
    // A missing manifest is derived data the writer rebuilds; the row just shows no times.
    return NO_TIMES
  }
}

async function rawTimes(hosted: HostedStore, segment: SegmentSummary): Promise<TimeRange> {
  if (segment.first_sequence === null || segment.last_sequence === null) return NO_TIMES
  const first = await hosted.store.getBySequence(segment.first_sequence)
  const last = await hosted.store.getBySequence(segment.last_sequence)
  return { first: first?.timestamp ?? null, last: last?.timestamp ?? null }
}
