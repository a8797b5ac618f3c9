import { useId } from 'react'
import type { JobInfo } from '../../../../shared/storeApi'
import { ProgressBar } from '../common/ProgressBar'
import { StatusBadge } from '../common/StatusBadge'

export interface IndexRebuildControlProps {
  /** The store's latest rebuild_indexes job, running or finished; null when there was none. */
  job: JobInfo | null
  /** Why a rebuild cannot start now (a follower, another job), or null when it can. */
  blockedReason: string | null
  onRebuild: () => void
}

/**
 * IndexRebuildControl is the "Rebuild indexes" button with the reason it is disabled, the
 * running job's progress in segments, and how the last rebuild ended.
 */
export function IndexRebuildControl({ job, blockedReason, onRebuild }: IndexRebuildControlProps) {
  const reasonId = useId()
  return (
    <div className="index-rebuild" role="group" aria-label="Index rebuild">
      <button
        type="button"
        disabled={blockedReason !== null}
        aria-describedby={blockedReason !== null ? reasonId : undefined}
        onClick={onRebuild}
      >
        Rebuild indexes
      </button>
      {blockedReason !== null && (
        <span id={reasonId} className="muted">
          {blockedReason}
        </span>
      )}
      {job !== null && <IndexJobStatus job={job} />}
    </div>
  )
}

function IndexJobStatus({ job }: { job: JobInfo }) {
  const progress = job.index_rebuild
  if (job.state === 'running') {
    return progress === undefined ? (
      <span className="muted">Starting…</span>
    ) : (
      <ProgressBar
        label="Index rebuild progress"
        value={progress.segments_done}
        max={progress.segments_total}
        tone="busy"
        detail={`${progress.segments_done} of ${progress.segments_total} sealed segments`}
      />
    )
  }
  if (job.state !== 'done') {
    return (
      <span role="status">
        <StatusBadge tone="bad" label="Rebuild failed" />
        {job.error !== null && <span className="error-text"> {job.error.message}</span>}
      </span>
    )
  }
  const skipped = progress?.skipped ?? []
  return (
    <span role="status">
      <StatusBadge
        tone={skipped.length > 0 ? 'bad' : 'ok'}
        label={`${(progress?.segments_total ?? 0) - skipped.length} indexes rebuilt`}
      />
      {skipped.map(({ name, reason }) => (
        <span key={name} className="error-text">
          {' '}
          {name} not indexed: {reason}.
        </span>
      ))}
    </span>
  )
}
