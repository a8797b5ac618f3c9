import { useEffect, useState } from 'react'
import type { ServerStatus, StoreHandle } from '../../../shared/storeApi'
import { useAppState, useInspector } from '../state/InspectorContext'
import { monitorWith } from '../state/monitorSlice'
import { selectCurrentStore } from '../state/selectors'
import { ServeOverHttp } from '../shell/ServeOverHttp'
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
  const [served, setServed] = useState<ServerStatus | null>(null)

  useEffect(() => {
    void inspector.api.health({ handle }).then((result) => {
      if (result.ok)
        inspector.updateMonitor((monitor) => monitorWith(monitor, 'health', handle, result.value))
      else inspector.reportError({ ...result.error, action: 'Reading the store health' })
    })
  }, [inspector, handle])

  // A served page has the metrics endpoint of its own host; the app, of the server it started.
  const servedUrl = bridge === 'browser' ? window.location.origin : (served?.url ?? null)
  const metricsUrl = servedUrl === null ? null : `${servedUrl}/metrics`
  return (
    <>
      {bridge === 'electron' && <ServeOverHttp handle={handle} onStatus={setServed} />}
      <HealthView health={health} metricsUrl={metricsUrl} />
    </>
  )
}
