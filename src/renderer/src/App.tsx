import { useEffect } from 'react'
import type { Inspector } from './state/createInspector'
import { InspectorProvider } from './state/InspectorContext'
import { AppShell } from './shell/AppShell'

/** App is the inspector's whole page over one Inspector (one connection to a store host). */
export function App({ inspector }: { inspector: Inspector }) {
  useEffect(() => {
    void inspector.loadStart()
  }, [inspector])
  return (
    <InspectorProvider inspector={inspector}>
      <AppShell />
    </InspectorProvider>
  )
}
