import { useEffect, useState } from 'react'
import type { SlaHistory } from '../../../shared/sla'
import type { StoreHandle } from '../../../shared/storeApi'
import { useAppState, useInspector } from '../state/InspectorContext'
import { selectCurrentStore } from '../state/selectors'
import { PerformanceView } from '../views/performance/PerformanceView'
import { NoStore } from './NoStore'

/** The history is read again this often while the view is open; snapshots arrive as pushes. */
export const SLA_HISTORY_POLL_MS = 2000

/** PerformanceContainer feeds the Performance view: the pushed SLA snapshot and the polled history. */
export function PerformanceContainer() {
  const store = useAppState(selectCurrentStore)
  return store === null ? (
    <NoStore view="Performance" />
  ) : (
    <ShownStorePerformance handle={store.handle} />
  )
}

function ShownStorePerformance({ handle }: { handle: StoreHandle }) {
  const inspector = useInspector()
  const snapshot = useAppState((state) => state.monitor.sla[handle] ?? null)
  const [history, setHistory] = useState<SlaHistory | null>(null)

  useEffect(() => {
    let current = true
    const load = () =>
      void inspector.api.slaHistory({ handle }).then((result) => {
        if (!current) return
        if (result.ok) setHistory(result.value)
        else inspector.reportError({ ...result.error, action: 'Reading the SLA history' })
      })
    load()
    const timer = setInterval(load, SLA_HISTORY_POLL_MS)
    return () => {
      current = false
      clearInterval(timer)
    }
  }, [inspector, handle])

  return <PerformanceView snapshot={snapshot} history={history} />
}
