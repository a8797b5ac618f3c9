import { useEffect } from 'react'
import type { StoreHandle } from '../../../shared/storeApi'
import { useAppState, useInspector } from '../state/InspectorContext'
import type { CommandKind, PendingCommand } from '../state/navigationSlice'

/**
 * useCommand carries out a command addressed to this view (and, for a menu command, this
 * store: `handle`) once, then marks it done, so a re-render or a remount never runs it
 * twice. The store is read afresh: under StrictMode an effect runs twice with the same
 * command, and a command already taken is not taken again.
 */
export function useCommand<K extends CommandKind>(
  kind: K,
  handle: StoreHandle | null,
  run: (command: Extract<PendingCommand, { kind: K }>) => void,
): void {
  const inspector = useInspector()
  const command = useAppState((state) => state.navigation.command)
  useEffect(() => {
    if (command === null || command.kind !== kind) return
    if ('handle' in command && command.handle !== handle) return
    if (inspector.store.getState().navigation.command !== command) return
    inspector.finishCommand(command.id)
    run(command as Extract<PendingCommand, { kind: K }>)
  }, [command, kind, handle, inspector, run])
}
