import type { JobInfo } from '../../../../shared/storeApi'
import { ProgressBar } from '../common/ProgressBar'
import { StatusBadge, type StatusBadgeProps } from '../common/StatusBadge'
import { formatDurationMs, formatTime } from '../common/format'
import { verifyProgressText } from './verifyProgressText'

export interface VerifyJobPanelProps {
  job: JobInfo
  onCancel: (jobId: string) => void
}

/** VerifyJobPanel shows a running verification's overall progress, or how the last one ended. */
export function VerifyJobPanel({ job, onCancel }: VerifyJobPanelProps) {
  const { progress } = job
  if (job.state === 'running') {
    return (
      <div className="verify-job" role="group" aria-label="Verification in progress">
        <StatusBadge tone="busy" label="Verifying" />
        {progress === null ? (
          <span className="muted">Starting…</span>
        ) : (
          <ProgressBar
            label="Overall verification progress"
            value={progress.bytes_done}
            max={progress.bytes_total}
            tone="busy"
            detail={verifyProgressText(progress)}
          />
        )}
        <button type="button" onClick={() => onCancel(job.job_id)}>
          Cancel verification
        </button>
      </div>
    )
  }
  const took =
    job.finished_at === null
      ? ''
      : ` in ${formatDurationMs(Date.parse(job.finished_at) - Date.parse(job.started_at))}`
  return (
    <p className="verify-job" role="status">
      <StatusBadge {...outcomeBadge(job)} /> Last verification started {formatTime(job.started_at)}
      {took}
      {job.error !== null && <span className="error-text">: {job.error.message}</span>}
    </p>
  )
}

function outcomeBadge(job: JobInfo): StatusBadgeProps {
  if (job.state === 'cancelled') return { tone: 'neutral', label: 'Cancelled' }
  if (job.state === 'failed') return { tone: 'bad', label: 'Failed' }
  const damaged = job.progress?.files.some((file) => file.status !== 'ok') ?? false
  return damaged ? { tone: 'bad', label: 'Damage found' } : { tone: 'ok', label: 'All files OK' }
}
