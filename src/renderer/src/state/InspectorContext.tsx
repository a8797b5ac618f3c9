/**
 * Components reach the Inspector (actions and the StoreApi) and the app store through this
 * context, so a test can render any of them over a fake StoreApi.
 */
import { createContext, useCallback, useContext, useSyncExternalStore } from 'react'
import type { ReactNode } from 'react'
import { useStore } from 'zustand'
import type { AppState } from './appStore'
import type { Inspector } from './createInspector'
import { subscribeThrottled } from './subscribeThrottled'

const InspectorContext = createContext<Inspector | null>(null)

export function InspectorProvider({
  inspector,
  children,
}: {
  inspector: Inspector
  children: ReactNode
}) {
  return <InspectorContext.Provider value={inspector}>{children}</InspectorContext.Provider>
}

export function useInspector(): Inspector {
  const inspector = useContext(InspectorContext)
  if (inspector === null) throw new Error('useInspector needs an InspectorProvider above it.')
  return inspector
}

/** useAppState reads one part of the app store; the component re-renders when it changes. */
export function useAppState<T>(selector: (state: AppState) => T): T {
  return useStore(useInspector().store, selector)
}

/**
 * useAppStateThrottled reads like useAppState but re-renders at most once per `intervalMs`,
 * for parts that follow a live stream: the value is never older than the interval, and a
 * render for any other reason reads the newest one.
 */
export function useAppStateThrottled<T>(selector: (state: AppState) => T, intervalMs: number): T {
  const { store } = useInspector()
  const subscribe = useCallback(
    (notify: () => void) => subscribeThrottled(store, notify, intervalMs),
    [store, intervalMs],
  )
  return useSyncExternalStore(subscribe, () => selector(store.getState()))
}
