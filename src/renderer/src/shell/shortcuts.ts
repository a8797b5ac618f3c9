/**
 * The keyboard shortcuts: one list drives both the key handler and the help overlay, so
 * the overlay can never advertise a key that does nothing.
 */
import type { BridgeKind } from '../api/storeConnection'
import type { Inspector } from '../state/createInspector'

export interface Shortcut {
  /** KeyboardEvent.key values; the first is the one the overlay shows first. */
  keys: string[]
  description: string
  /**
   * Where the key works: on the page, or while the help overlay is open. The overlay is
   * modal, so page keys must not act behind it.
   */
  scope: 'page' | 'help'
  /** Only the desktop app can open other stores; a served page shows its one store. */
  electronOnly?: boolean
  run(inspector: Inspector): void
}

/** What decides whether a shortcut applies right now. */
export interface ShortcutContext {
  bridge: BridgeKind
  helpOpen: boolean
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
    scope: 'page',
    electronOnly: true,
    run: (inspector) => {
      inspector.navigate('start')
      focusTarget('open')
    },
  },
  {
    keys: ['/', 'f'],
    description: 'Filter the live events',
    scope: 'page',
    run: (inspector) => {
      inspector.navigate('live')
      focusTarget('filter')
    },
  },
  {
    keys: ['p'],
    description: 'Pause or resume the live events',
    scope: 'page',
    run: (inspector) => {
      if (inspector.store.getState().live.paused === null) inspector.pause()
      else inspector.resume()
    },
  },
  {
    keys: ['End', 'G'],
    description: 'Jump to the newest event',
    scope: 'page',
    run: (inspector) => {
      inspector.resume()
      inspector.setFollowing(true)
    },
  },
  {
    keys: ['j'],
    description: 'Next (newer) event',
    scope: 'page',
    run: (inspector) => inspector.selectRelative(1),
  },
  {
    keys: ['k'],
    description: 'Previous (older) event',
    scope: 'page',
    run: (inspector) => inspector.selectRelative(-1),
  },
  {
    keys: ['?'],
    description: 'Show these shortcuts',
    scope: 'page',
    run: (inspector) => inspector.setHelpOpen(true),
  },
  {
    keys: ['Escape'],
    description: 'Close this overlay',
    scope: 'help',
    run: (inspector) => inspector.setHelpOpen(false),
  },
]

/** shortcutsFor lists the shortcuts that exist on this bridge: what the overlay shows. */
export function shortcutsFor(bridge: BridgeKind): Shortcut[] {
  return SHORTCUTS.filter((shortcut) => shortcut.electronOnly !== true || bridge === 'electron')
}

/** shortcutFor finds the shortcut of a key press, ignoring typing and modified keys. */
export function shortcutFor(event: KeyboardEvent, context: ShortcutContext): Shortcut | null {
  if (event.ctrlKey || event.metaKey || event.altKey || event.defaultPrevented) return null
  if (isTyping(event.target)) return null
  const scope = context.helpOpen ? 'help' : 'page'
  return (
    shortcutsFor(context.bridge).find(
      (shortcut) => shortcut.scope === scope && shortcut.keys.includes(event.key),
    ) ?? null
  )
}

function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false
  return target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName)
}
