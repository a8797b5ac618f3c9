import { useEffect } from 'react'
import type { StoreHandle } from '../../../shared/storeApi'
import { useAppState, useInspector } from '../state/InspectorContext'
import { monitorWith } from '../state/monitorSlice'
import { selectCurrentStore } from '../state/selectors'
import { HealthView } from '../views/health/HealthView'
import { NoStore } from './NoStore'

/** HealthContainer feeds the Health view: health read once, then kept fresh by pushes. */
export function HealthContainer() {
  const store = useAppState(selectCurrentStore)
  return store === null ? <NoStore view="Health" /> : <ShownStoreHealth handle={store.handle} />
}

function ShownStoreHealth({ handle }: { handle: StoreHandle }) {
  const inspector = useInspector()
  const bridge = useAppState((state) => state.session.bridge)
  const health = useAppState((state) => state.monitor.health[handle] ?? null)

  useEffect(() => {
    void inspector.api.health({ handle }).then((result) => {
      if (result.ok)
        inspector.updateMonitor((monitor) => monitorWith(monitor, 'health', handle, result.value))
      else inspector.reportError({ ...result.error, action: 'Reading the store health' })
    })
  }, [inspector, handle])

  // Only `serve` has a metrics endpoint, on the host that served this page.
  const metricsUrl = bridge === 'browser' ? `${window.location.origin}/metrics` : null
  return <HealthView health={health} metricsUrl={metricsUrl} />
}
