import { useCallback, useEffect } from 'react'
import type { JobInfo, Result, StoreSummary } from '../../../shared/storeApi'
import { useAppState, useInspector } from '../state/InspectorContext'
import { monitorWith, monitorWithJob } from '../state/monitorSlice'
import { selectCurrentStore, selectLatestJob } from '../state/selectors'
import { FilesView } from '../views/files/FilesView'
import { rebuildBlockedReason } from '../views/files/rebuildBlockedReason'
import { NoStore } from './NoStore'
import { useCommand } from './useCommand'

const NO_SEGMENTS: never[] = []

/**
 * FilesContainer feeds the Files view: segments (loaded, then pushed), verify jobs and
 * index rebuilds.
 */
export function FilesContainer() {
  const store = useAppState(selectCurrentStore)
  return store === null ? <NoStore view="Files" /> : <ShownStoreFiles store={store} />
}

function ShownStoreFiles({ store }: { store: StoreSummary }) {
  const inspector = useInspector()
  const { api } = inspector
  const { handle } = store
  const segments = useAppState((state) => state.monitor.segments[handle] ?? NO_SEGMENTS)
  const verifyJob = useAppState((state) => selectLatestJob(state, 'verify'))
  const indexJob = useAppState((state) => selectLatestJob(state, 'rebuild_indexes'))
  const runningJob = useAppState(
    (state) => state.monitor.jobs.find((j) => j.handle === handle && j.state === 'running') ?? null,
  )

  useEffect(() => {
    void api.listSegments({ handle }).then((result) => {
      if (result.ok)
        inspector.updateMonitor((monitor) => monitorWith(monitor, 'segments', handle, result.value))
      else inspector.reportError({ ...result.error, action: 'Listing the segments' })
    })
  }, [api, handle, inspector])

  const track = useCallback(
    (action: string, result: Result<JobInfo>) => {
      if (result.ok) inspector.updateMonitor((monitor) => monitorWithJob(monitor, result.value))
      else inspector.reportError({ ...result.error, action })
    },
    [inspector],
  )
  const verify = useCallback(
    (file?: string) => {
      const args = file === undefined ? { handle } : { handle, file }
      void api.startVerification(args).then((result) => track('Starting verification', result))
    },
    [api, handle, track],
  )
  const verifyAll = useCallback(() => verify(), [verify])
  useCommand('verify', handle, verifyAll)
  const rebuildIndexes = useCallback(() => {
    void api.rebuildIndexes({ handle }).then((result) => track('Rebuilding the indexes', result))
  }, [api, handle, track])

  return (
    <FilesView
      segments={segments}
      verifyJob={verifyJob}
      onVerifyAll={verifyAll}
      onVerifyFile={(name) => verify(name)}
      indexJob={indexJob}
      rebuildBlockedReason={rebuildBlockedReason(store, runningJob)}
      onRebuildIndexes={rebuildIndexes}
      onCancelJob={(jobId) =>
        void api.cancelJob({ job_id: jobId }).then((result) => track('Cancelling the job', result))
      }
    />
  )
}
