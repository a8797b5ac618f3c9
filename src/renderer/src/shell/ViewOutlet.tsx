import { Suspense, lazy } from 'react'
import type { ComponentType } from 'react'
import { FilesContainer } from '../containers/FilesContainer'
import { HealthContainer } from '../containers/HealthContainer'
import { QueryContainer } from '../containers/QueryContainer'
import { RecoveryContainer } from '../containers/RecoveryContainer'
import { useAppState } from '../state/InspectorContext'
import type { ViewId } from '../state/navigationSlice'
import { LiveView } from '../views/live/LiveView'
import { StartView } from '../views/start/StartView'

// The charts library is over half of the page's code and only this view draws charts, so it
// loads when first shown instead of slowing every start.
const PerformanceContainer = lazy(async () => ({
  default: (await import('../containers/PerformanceContainer')).PerformanceContainer,
}))

const VIEWS: Record<ViewId, ComponentType> = {
  start: StartView,
  live: LiveView,
  query: QueryContainer,
  files: FilesContainer,
  recovery: RecoveryContainer,
  performance: PerformanceContainer,
  health: HealthContainer,
}

/** ViewOutlet shows the current view; the key remounts it when the shown store changes. */
export function ViewOutlet() {
  const view = useAppState((state) => state.navigation.view)
  const handle = useAppState((state) => state.session.currentHandle)
  const View = VIEWS[view]
  return (
    <main className="app-shell__main">
      <Suspense fallback={<p className="view muted">Loading the view…</p>}>
        <View key={handle ?? 'none'} />
      </Suspense>
    </main>
  )
}
