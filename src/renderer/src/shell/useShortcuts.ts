import { useEffect } from 'react'
import type { Inspector } from '../state/createInspector'
import { shortcutFor } from './shortcuts'

/** useShortcuts listens for the SHORTCUTS keys on the whole page while mounted. */
export function useShortcuts(inspector: Inspector): void {
  useEffect(() => {
    const onKeyDown = (event: KeyboardEvent): void => {
      const { session, navigation } = inspector.store.getState()
      const shortcut = shortcutFor(event, {
        bridge: session.bridge,
        helpOpen: navigation.helpOpen,
      })
      if (shortcut === null) return
      event.preventDefault()
      shortcut.run(inspector)
    }
    window.addEventListener('keydown', onKeyDown)
    return () => window.removeEventListener('keydown', onKeyDown)
  }, [inspector])
}
