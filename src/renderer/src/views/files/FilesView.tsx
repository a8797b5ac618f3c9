import { useMemo } from 'react'
import type { JobInfo, SegmentInfo } from '../../../../shared/storeApi'
import { IndexRebuildControl } from './IndexRebuildControl'
import { SegmentTable } from './SegmentTable'
import { VerifyJobPanel } from './VerifyJobPanel'
import { fileRows } from './fileRows'
import '../common/common.css'
import './files.css'

export interface FilesViewProps {
  segments: readonly SegmentInfo[]
  /** The store's latest verify job, running or finished; null when there was none. */
  verifyJob: JobInfo | null
  onVerifyAll: () => void
  onVerifyFile: (name: string) => void
  onCancelJob: (jobId: string) => void
  /** The store's latest rebuild_indexes job; null when there was none. */
  indexJob: JobInfo | null
  /** Why an index rebuild cannot start now, or null when it can. */
  rebuildBlockedReason: string | null
  onRebuildIndexes: () => void
}

/**
 * FilesView is one row per segment with its checksum state, and verification. Verifying
 * only reads, so it stays available in every store mode (read-only, following, needs
 * recovery); only a running verification disables starting another. Rebuilding indexes
 * writes files, so it is the writer's alone and waits for any job on the store.
 */
export function FilesView({
  segments,
  verifyJob,
  onVerifyAll,
  onVerifyFile,
  onCancelJob,
  indexJob,
  rebuildBlockedReason,
  onRebuildIndexes,
}: FilesViewProps) {
  const rows = useMemo(() => fileRows(segments, verifyJob), [segments, verifyJob])
  const canVerify = verifyJob?.state !== 'running'
  return (
    <section className="view files-view" aria-labelledby="files-view-title">
      <div className="files-view__header">
        <h2 id="files-view-title">Files</h2>
        <button type="button" className="primary" disabled={!canVerify} onClick={onVerifyAll}>
          Verify all
        </button>
        <IndexRebuildControl
          job={indexJob}
          blockedReason={rebuildBlockedReason}
          onRebuild={onRebuildIndexes}
        />
      </div>
      {verifyJob !== null && <VerifyJobPanel job={verifyJob} onCancel={onCancelJob} />}
      {rows.length === 0 ? (
        <p className="muted">This store has no segment files yet.</p>
      ) : (
        <SegmentTable rows={rows} canVerify={canVerify} onVerifyFile={onVerifyFile} />
      )}
    </section>
  )
}
