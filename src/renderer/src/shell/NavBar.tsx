import { useAppState, useInspector } from '../state/InspectorContext'
import { VIEW_IDS } from '../state/navigationSlice'
import type { ViewId } from '../state/navigationSlice'

export const VIEW_LABELS: Record<ViewId, string> = {
  start: 'Start',
  live: 'Live',
  query: 'Query',
  files: 'Files',
  recovery: 'Recovery',
  performance: 'Performance',
  health: 'Health',
}

/** NavBar is the left navigation; the current view is marked with aria-current. */
export function NavBar() {
  const inspector = useInspector()
  const view = useAppState((state) => state.navigation.view)
  return (
    <nav className="nav-bar" aria-label="Views">
      <ul>
        {VIEW_IDS.map((id) => (
          <li key={id}>
            <button
              type="button"
              aria-current={view === id ? 'page' : undefined}
              onClick={() => inspector.navigate(id)}
            >
              {VIEW_LABELS[id]}
            </button>
          </li>
        ))}
      </ul>
      <button type="button" className="nav-bar__help" onClick={() => inspector.setHelpOpen(true)}>
        Keyboard shortcuts
      </button>
    </nav>
  )
}
