import { useId, useRef, useState } from 'react'
import type { RecoveryReport, StoreMode } from '../../../../shared/report'
import type { JobInfo, RecoveryReportEntry, StoreAccess } from '../../../../shared/storeApi'
import { formatTime } from '../common/format'
import { ApprovalPanel } from './ApprovalPanel'
import { ConfirmRecoveryDialog } from './ConfirmRecoveryDialog'
import { RecoveryReportDetail } from './RecoveryReportDetail'
import { RecoveryReportList } from './RecoveryReportList'
import { recoveryBlocker, type RecoverySla } from './recoveryBlockers'
import '../common/common.css'
import './recovery.css'

export interface RecoveryViewProps {
  /** Every recovery report of the store, as listRecoveryReports returns them. */
  reports: readonly RecoveryReportEntry[]
  selectedReportId: string | null
  /** The selected report in full; null while it loads or when none is selected. */
  selectedReport: RecoveryReport | null
  onSelectReport: (id: string) => void
  /** The latest recover job started from this window, running or finished; or null. */
  recoveryJob: JobInfo | null
  access: StoreAccess
  mode: StoreMode
  /** From the SLA snapshot; the approval panel shows while the level is RECOVERING. */
  sla: RecoverySla | null
  /** Called once the user has confirmed the dialog. */
  onRunRecovery: () => void
  onApprove: () => void
}

/** RecoveryView lists recovery reports, runs a confirmed recovery and approves the return to normal. */
export function RecoveryView(props: RecoveryViewProps) {
  const { reports, selectedReportId, selectedReport, recoveryJob, access, mode, sla } = props
  const [confirming, setConfirming] = useState(false)
  // Closing the dialog returns focus to the button that opened it, where the user was.
  const runButtonRef = useRef<HTMLButtonElement>(null)
  const blockerId = useId()
  const blocker = recoveryBlocker(access, mode, recoveryJob)
  const selectedEntry = reports.find((entry) => entry.id === selectedReportId)

  return (
    <section className="view recovery-view" aria-labelledby="recovery-view-title">
      <div className="recovery-view__header">
        <h2 id="recovery-view-title">Recovery</h2>
        <button
          type="button"
          ref={runButtonRef}
          className="primary"
          disabled={blocker !== null}
          aria-describedby={blocker === null ? undefined : blockerId}
          onClick={() => setConfirming(true)}
        >
          Run recovery…
        </button>
      </div>
      {blocker !== null && (
        <p id={blockerId} className="muted">
          {blocker}
        </p>
      )}
      {confirming && (
        <ConfirmRecoveryDialog
          onCancel={() => {
            setConfirming(false)
            runButtonRef.current?.focus()
          }}
          onConfirm={() => {
            setConfirming(false)
            props.onRunRecovery()
          }}
        />
      )}
      {recoveryJob !== null && <RecoveryJobResult job={recoveryJob} />}
      {sla?.level === 'RECOVERING' && (
        <ApprovalPanel access={access} sla={sla} onApprove={props.onApprove} />
      )}
      <h3>Reports</h3>
      <RecoveryReportList
        reports={reports}
        selectedId={selectedReportId}
        onSelect={props.onSelectReport}
      />
      {selectedEntry !== undefined &&
        (selectedReport === null ? (
          <p className="muted" role="status">
            Loading the report…
          </p>
        ) : (
          <RecoveryReportDetail
            title={`Report of ${formatTime(selectedEntry.started_at)}`}
            report={selectedReport}
          />
        ))}
    </section>
  )
}

function RecoveryJobResult({ job }: { job: JobInfo }) {
  if (job.state === 'running') {
    return (
      <p role="status">Recovery is running: the store is closed and reopens when it finishes.</p>
    )
  }
  if (job.report !== null) {
    return <RecoveryReportDetail title="Result of this recovery" report={job.report} />
  }
  return (
    <p role="alert" className="error-text">
      Recovery {job.state === 'cancelled' ? 'was cancelled' : 'failed'}
      {job.error === null ? '.' : `: ${job.error.message}`}
    </p>
  )
}
