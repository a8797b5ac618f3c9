import type { JobInfo, StoreSummary } from '../../../../shared/storeApi'

const JOB_NAMES: Record<JobInfo['kind'], string> = {
  verify: 'A verification',
  recover: 'A recovery',
  rebuild_indexes: 'An index rebuild',
}

/**
 * rebuildBlockedReason says why "Rebuild indexes" cannot start, in the words the button
 * shows, or null when it can: the host refuses a follower (`read_only`), since only the
 * writer writes index files, and any second job on a store (`job_running`).
 */
export function rebuildBlockedReason(
  store: Pick<StoreSummary, 'access'>,
  runningJob: JobInfo | null,
): string | null {
  if (store.access !== 'write') {
    return 'Only the store’s writer rebuilds indexes; this store is open for following.'
  }
  if (runningJob !== null) return `${JOB_NAMES[runningJob.kind]} is running on this store.`
  return null
}
