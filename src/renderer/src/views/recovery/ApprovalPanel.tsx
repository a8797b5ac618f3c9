import { useId } from 'react'
import type { StoreAccess } from '../../../../shared/storeApi'
import { StatusBadge } from '../common/StatusBadge'
import { formatTime } from '../common/format'
import { approvalBlocker, type RecoverySla } from './recoveryBlockers'

export interface ApprovalPanelProps {
  access: StoreAccess
  sla: RecoverySla
  onApprove: () => void
}

/**
 * ApprovalPanel returns a RECOVERING store to NORMAL: only after a verification passed
 * since it entered RECOVERING, and only by an operator's click.
 */
export function ApprovalPanel({ access, sla, onApprove }: ApprovalPanelProps) {
  const reasonId = useId()
  const blocker = approvalBlocker(access, sla)
  const passedAt = sla.recovery?.verification_passed_at ?? null
  return (
    <section className="approval-panel" aria-labelledby={`${reasonId}-title`}>
      <h3 id={`${reasonId}-title`}>Return to normal</h3>
      <p>
        The SLA level is RECOVERING since {formatTime(sla.since)}: triggers have cleared, writes
        stay restricted until you approve.
      </p>
      <p>
        Verification since then:{' '}
        {passedAt === null ? (
          <StatusBadge tone="warn" label="None passed yet" />
        ) : (
          <StatusBadge tone="ok" label={`Passed at ${formatTime(passedAt)}`} />
        )}
      </p>
      <button
        type="button"
        className="primary"
        disabled={blocker !== null}
        aria-describedby={blocker === null ? undefined : reasonId}
        onClick={onApprove}
      >
        Approve return to normal
      </button>
      {blocker !== null && (
        <p id={reasonId} className="muted">
          {blocker}
        </p>
      )}
    </section>
  )
}
