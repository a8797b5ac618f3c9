/**
 * Why recovery or approval cannot run right now, as a sentence the button shows beside it;
 * null when it can. The host checks again, so these only spare the user a refused call.
 */
import type { StoreMode } from '../../../../shared/report'
import type { SlaSnapshot } from '../../../../shared/sla'
import type { JobInfo, StoreAccess } from '../../../../shared/storeApi'
import { formatTime } from '../common/format'

export type RecoverySla = Pick<SlaSnapshot, 'level' | 'since' | 'recovery'>

const FOLLOWER = 'This window follows a store another process writes; only that writer can'

export function recoveryBlocker(
  access: StoreAccess,
  mode: StoreMode,
  job: JobInfo | null,
): string | null {
  if (job?.state === 'running') return 'A recovery is already running.'
  if (access === 'follow') return `${FOLLOWER} recover it.`
  if (mode === 'read_only') return 'The store is open read-only; open it for writing to recover it.'
  return null
}

export function approvalBlocker(access: StoreAccess, sla: RecoverySla): string | null {
  if (access === 'follow') return `${FOLLOWER} approve the return to normal.`
  const { recovery } = sla
  if (recovery === null) return 'The host has not reported the recovery state yet.'
  if (recovery.verification_passed_at === null) {
    return `No verification has passed since the store entered RECOVERING at ${formatTime(sla.since)}. Run Verify all in the Files view first.`
  }
  if (!recovery.can_approve) {
    return `Verification passed at ${formatTime(recovery.verification_passed_at)}, but the host does not accept approval yet: a degradation trigger may still hold.`
  }
  return null
}
