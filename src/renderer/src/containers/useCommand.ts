import { useEffect } from 'react'
import type { StoreHandle } from '../../../shared/storeApi'
import { useAppState, useInspector } from '../state/InspectorContext'
import type { CommandKind } from '../state/navigationSlice'

/**
 * useCommand carries out a native-menu command addressed to this view and store once,
 * then marks it done, so a re-render or a remount never runs it twice.
 */
export function useCommand(kind: CommandKind, handle: StoreHandle, run: () => void): void {
  const inspector = useInspector()
  const command = useAppState((state) => state.navigation.command)
  useEffect(() => {
    if (command === null || command.kind !== kind || command.handle !== handle) return
    inspector.finishCommand(command.id)
    run()
  }, [command, kind, handle, inspector, run])
}
