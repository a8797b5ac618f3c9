import type { FileReport, FileStatus } from './report'

/**
 * Shapes of a verification job's progress and result: what the CLI prints with
 * `verify --progress` and what the host pushes to the UI while a verification runs.
 * `verify --json` prints only the VerifyReport contract (report.ts), never these.
 */

/** A file not yet checked is `unverified`; one a worker is reading is `verifying`. */
export type VerificationStatus = 'unverified' | 'verifying' | FileStatus

/** VerificationFile is one file of the verify report, with the job's view of it. */
export interface VerificationFile extends Omit<FileReport, 'status'> {
  status: VerificationStatus
  /** Size on disk when the job started; 0 for a `missing` range. */
  bytes: number
  /** Bytes of this file read so far (a sealed file counts once it is inflated and checked). */
  bytes_done: number
  /** The worker thread that checked the file, or null. */
  thread_id: number | null
  /** When the file was last verified by a writer before this job (verification.json), or null. */
  last_verified_at: string | null
}

export interface VerificationProgress {
  files_done: number
  files_total: number
  /** Bytes on disk: done counts whole files plus what workers have read of the current ones. */
  bytes_done: number
  bytes_total: number
  /** Uncompressed bytes of the files done, whose every record was checked. */
  raw_bytes_done: number
  /** Intact events in the files done. */
  records: number
  elapsed_ms: number
  /** bytes_done per second of elapsed time. */
  bytes_per_second: number
  finished: boolean
  files: VerificationFile[]
}

export interface VerificationResult extends VerificationProgress {
  /** True when every file is ok; false when damage was found or the job was cancelled. */
  ok: boolean
  cancelled: boolean
  started_at: string
  finished_at: string
  /** Thread ids of the workers the job started. */
  worker_thread_ids: number[]
}
