import { useEffect, useRef } from 'react'
import { useAppState, useInspector } from '../state/InspectorContext'
import { shortcutsFor } from './shortcuts'

/**
 * HelpOverlay lists the keyboard shortcuts in a modal dialog (`?` opens it, Escape closes).
 * Closing it gives focus back to where the person was, as a native dialog would.
 */
export function HelpOverlay() {
  const inspector = useInspector()
  const open = useAppState((state) => state.navigation.helpOpen)
  const bridge = useAppState((state) => state.session.bridge)
  const closeButton = useRef<HTMLButtonElement>(null)

  useEffect(() => {
    if (!open) return
    const previous = document.activeElement
    closeButton.current?.focus()
    return () => {
      if (previous instanceof HTMLElement) previous.focus()
    }
  }, [open])

  if (!open) return null
  return (
    <div className="help-overlay__backdrop" onClick={() => inspector.setHelpOpen(false)}>
      <div
        role="dialog"
        aria-modal="true"
        aria-labelledby="help-overlay-title"
        className="help-overlay"
        onClick={(event) => event.stopPropagation()}
      >
        <h2 id="help-overlay-title">Keyboard shortcuts</h2>
        <table className="data-table">
          <tbody>
            {shortcutsFor(bridge).map((shortcut) => (
              <tr key={shortcut.description}>
                <td>
                  {shortcut.keys.map((key) => (
                    <kbd key={key}>{key}</kbd>
                  ))}
                </td>
                <td>{shortcut.description}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <button ref={closeButton} type="button" onClick={() => inspector.setHelpOpen(false)}>
          Close
        </button>
      </div>
    </div>
  )
}
