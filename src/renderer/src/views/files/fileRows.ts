/**
 * One row per file for the Files view, merging the segment listing with the latest
 * verification job: the job's view of a file wins once the job has reached it, because it
 * is newer than the listing; files the job never reached keep the listing's status.
 */
import type { Problem } from '../../../../shared/report'
import type { JobInfo, SegmentInfo } from '../../../../shared/storeApi'
import type { VerificationFile, VerificationStatus } from '../../../../shared/verification'

export interface FileRow {
  name: string
  /** Null for a file the job reported but the listing lacks (a missing range). */
  segment: SegmentInfo | null
  status: VerificationStatus
  problems: Problem[]
  /** This file's share of a running job, or null when no job is reading it. */
  progress: { bytes_done: number; bytes: number } | null
}

export function fileRows(segments: readonly SegmentInfo[], job: JobInfo | null): FileRow[] {
  const jobFiles = new Map<string, VerificationFile>(
    (job?.progress?.files ?? []).map((file) => [file.name, file]),
  )
  const running = job?.state === 'running'
  const row = (name: string, segment: SegmentInfo | null): FileRow => {
    const file = jobFiles.get(name)
    const reached = file !== undefined && file.status !== 'unverified'
    return {
      name,
      segment,
      status: reached ? file.status : (segment?.checksum ?? 'unverified'),
      problems: reached ? file.problems : (segment?.problems ?? []),
      progress:
        running && file !== undefined ? { bytes_done: file.bytes_done, bytes: file.bytes } : null,
    }
  }
  const listed = new Set(segments.map((segment) => segment.name))
  return [
    ...segments.map((segment) => row(segment.name, segment)),
    ...[...jobFiles.keys()].filter((name) => !listed.has(name)).map((name) => row(name, null)),
  ]
}
