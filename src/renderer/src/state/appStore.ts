/**
 * The renderer's one zustand store, framework-free (zustand/vanilla) so push listeners and
 * the Inspector's actions update it without hooks; components read it through useAppState
 * with narrow selectors. Each slice is a plain object replaced whole when it changes.
 */
import { createStore } from 'zustand/vanilla'
import type { StoreApi as ZustandStore } from 'zustand/vanilla'
import type { BridgeKind, ConnectionState } from '../api/storeConnection'
import { initialLive } from './liveSlice'
import type { LiveState } from './liveSlice'
import { initialMonitor } from './monitorSlice'
import type { MonitorState } from './monitorSlice'
import { initialNavigation } from './navigationSlice'
import type { NavigationState } from './navigationSlice'
import { initialPace } from './paceSlice'
import type { PaceState } from './paceSlice'
import { initialSelection } from './selectionSlice'
import type { SelectionState } from './selectionSlice'
import { initialSession } from './sessionSlice'
import type { SessionState } from './sessionSlice'

export interface AppState {
  session: SessionState
  live: LiveState
  selection: SelectionState
  monitor: MonitorState
  navigation: NavigationState
  pace: PaceState
}

export type AppStore = ZustandStore<AppState>

export function initialAppState(bridge: BridgeKind, connection: ConnectionState): AppState {
  return {
    session: initialSession(bridge, connection),
    live: initialLive(),
    selection: initialSelection(),
    monitor: initialMonitor(),
    navigation: initialNavigation(),
    pace: initialPace(),
  }
}

export function createAppStore(bridge: BridgeKind, connection: ConnectionState): AppStore {
  return createStore<AppState>()(() => initialAppState(bridge, connection))
}
