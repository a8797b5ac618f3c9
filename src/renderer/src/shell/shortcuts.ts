/**
 * The keyboard shortcuts: one list drives both the key handler and the help overlay, so
 * the overlay can never advertise a key that does nothing.
 */
import type { Inspector } from '../state/createInspector'

export interface Shortcut {
  /** KeyboardEvent.key values; the first is the one the overlay shows first. */
  keys: string[]
  description: string
  run(inspector: Inspector): void
}

/** focusTarget focuses the control marked data-shortcut-target=name once the view shows it. */
function focusTarget(name: string): void {
  requestAnimationFrame(() => {
    document.querySelector<HTMLElement>(`[data-shortcut-target="${name}"]`)?.focus()
  })
}

export const SHORTCUTS: Shortcut[] = [
  {
    keys: ['o'],
    description: 'Open a store',
    run: (inspector) => {
      inspector.navigate('start')
      focusTarget('open')
    },
  },
  {
    keys: ['/', 'f'],
    description: 'Filter the live events',
    run: (inspector) => {
      inspector.navigate('live')
      focusTarget('filter')
    },
  },
  {
    keys: ['p'],
    description: 'Pause or resume the live events',
    run: (inspector) => {
      if (inspector.store.getState().live.paused === null) inspector.pause()
      else inspector.resume()
    },
  },
  {
    keys: ['End', 'G'],
    description: 'Jump to the newest event',
    run: (inspector) => {
      inspector.resume()
      inspector.setFollowing(true)
    },
  },
  {
    keys: ['j'],
    description: 'Next (newer) event',
    run: (inspector) => inspector.selectRelative(1),
  },
  {
    keys: ['k'],
    description: 'Previous (older) event',
    run: (inspector) => inspector.selectRelative(-1),
  },
  {
    keys: ['?'],
    description: 'Show these shortcuts',
    run: (inspector) => inspector.setHelpOpen(true),
  },
  {
    keys: ['Escape'],
    description: 'Close this overlay',
    run: (inspector) => inspector.setHelpOpen(false),
  },
]

/** shortcutFor finds the shortcut of a key press, ignoring typing and modified keys. */
export function shortcutFor(event: KeyboardEvent): Shortcut | null {
  if (event.ctrlKey || event.metaKey || event.altKey || event.defaultPrevented) return null
  if (isTyping(event.target)) return null
  return SHORTCUTS.find((shortcut) => shortcut.keys.includes(event.key)) ?? null
}

function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false
  return target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName)
}
