import { useCallback, useEffect, useState } from 'react'
import type { RecoveryReport } from '../../../shared/report'
import type { RecoveryReportEntry, StoreSummary } from '../../../shared/storeApi'
import { useAppState, useInspector } from '../state/InspectorContext'
import { monitorWith, monitorWithJob } from '../state/monitorSlice'
import { selectCurrentStore, selectLatestJob } from '../state/selectors'
import { RecoveryView } from '../views/recovery/RecoveryView'
import { NoStore } from './NoStore'
import { useCommand } from './useCommand'

/** RecoveryContainer feeds the Recovery view: reports, the recover job, SLA approval. */
export function RecoveryContainer() {
  const store = useAppState(selectCurrentStore)
  return store === null ? <NoStore view="Recovery" /> : <ShownStoreRecovery store={store} />
}

function ShownStoreRecovery({ store }: { store: StoreSummary }) {
  const inspector = useInspector()
  const { api } = inspector
  const { handle } = store
  const recoveryJob = useAppState((state) => selectLatestJob(state, 'recover'))
  const sla = useAppState((state) => state.monitor.sla[handle] ?? null)
  const [reports, setReports] = useState<RecoveryReportEntry[]>([])
  const [selectedReportId, setSelectedReportId] = useState<string | null>(null)
  const [selectedReport, setSelectedReport] = useState<RecoveryReport | null>(null)

  // A finished recover job adds a report, so the list is read again when one ends.
  const finishedJobId =
    recoveryJob !== null && recoveryJob.state !== 'running' ? recoveryJob.job_id : null
  useEffect(() => {
    void api.listRecoveryReports({ handle }).then((result) => {
      if (result.ok) setReports(result.value)
      else inspector.reportError({ ...result.error, action: 'Listing the recovery reports' })
    })
  }, [api, handle, inspector, finishedJobId])

  const selectReport = (id: string) => {
    setSelectedReportId(id)
    setSelectedReport(null)
    void api.getRecoveryReport({ handle, id }).then((result) => {
      if (result.ok) setSelectedReport(result.value)
      else inspector.reportError({ ...result.error, action: 'Reading the recovery report' })
    })
  }

  const runRecovery = useCallback(() => {
    void api.runRecovery({ handle }).then((result) => {
      if (result.ok) inspector.updateMonitor((monitor) => monitorWithJob(monitor, result.value))
      else inspector.reportError({ ...result.error, action: 'Running recovery' })
    })
  }, [api, handle, inspector])
  // The native menu's Run Recovery is the person's request already; it runs without a second ask.
  useCommand('run_recovery', handle, runRecovery)

  const approve = () => {
    void api.approveRecovery({ handle }).then((result) => {
      if (result.ok)
        inspector.updateMonitor((monitor) => monitorWith(monitor, 'sla', handle, result.value))
      else inspector.reportError({ ...result.error, action: 'Approving the return to normal' })
    })
  }

  return (
    <RecoveryView
      reports={reports}
      selectedReportId={selectedReportId}
      selectedReport={selectedReport}
      onSelectReport={selectReport}
      recoveryJob={recoveryJob}
      access={store.access}
      mode={store.mode}
      sla={sla}
      onRunRecovery={runRecovery}
      onApprove={approve}
    />
  )
}
