/**
 * The Inspector ties a StoreConnection to the app store: pushes land in the store one batch
 * at a time, and every user action that needs the host is a method here, so components stay
 * presentational and tests drive the same methods with a fake StoreApi.
 *
 * Showing a store is a reaction, not a step of each action: whenever the shown store
 * changes (picked in the UI, opened from the native menu, or a closed store replaced), the
 * Live subscription is renewed and the store's summary and SLA snapshot are loaded.
 */
import type { StoredEvent } from '../../../shared/event'
import type { EventFilter } from '../../../shared/query'
import type {
  Result,
  StoreAccess,
  StoreApi,
  StoreHandle,
  StoreSummary,
} from '../../../shared/storeApi'
import type { StoreConnection } from '../api/storeConnection'
import { createAppStore } from './appStore'
import type { AppStore } from './appStore'
import { eventFilterOf } from './liveFilter'
import {
  NO_LIVE_FILTER,
  liveFollowing,
  livePaused,
  liveResumed,
  liveSubscribed,
  liveSubscribing,
} from './liveSlice'
import type { LiveFilter, LiveState } from './liveSlice'
import { monitorWith } from './monitorSlice'
import type { MonitorState } from './monitorSlice'
import { navigationWithCommand, navigationWithoutCommand } from './navigationSlice'
import type { ViewId } from './navigationSlice'
import { reducePushBatch } from './reducePushBatch'
import { selectVisibleRows } from './selectors'
import { sessionWithOpenStores, sessionWithStore } from './sessionSlice'
import type { UiError } from './sessionSlice'

/** A new Live subscription starts this many events before the newest, so the table is not empty. */
export const LIVE_BACKLOG_EVENTS = 500

/** What a browser page says to a dropped folder: it cannot learn where the folder is. */
export const DROP_NEEDS_DESKTOP_APP =
  'A browser does not tell a web page where a dropped folder is, and this page shows only the store it is served for. Open other stores in the desktop app, or serve them with `lighthouse-store serve DIR`.'

export interface Inspector {
  store: AppStore
  api: StoreApi
  /** Loads the open stores and the recent list (Electron only; null in browser mode). */
  refreshStores(): Promise<void>
  /** refreshStores, then shows the first open store, if any: what the page does at start. */
  loadStart(): Promise<void>
  openStore(path: string, access: StoreAccess): Promise<Result<StoreSummary>>
  createStore(path: string): Promise<Result<StoreSummary>>
  openDemo(): Promise<Result<StoreSummary>>
  showStore(handle: StoreHandle): void
  navigate(view: ViewId): void
  /** Shows the Query view running `filter`, e.g. an event's correlation chain. */
  queryFor(filter: EventFilter): void
  setHelpOpen(open: boolean): void
  reportError(error: UiError): void
  dismissError(): void
  finishCommand(id: number): void
  /**
   * Takes a File dropped on the window as a folder to open: a command for the Start view
   * (see navigationSlice.ts). A page that cannot learn the path says so instead.
   */
  openDroppedFolder(file: File): void
  /** Records what a call answered about jobs, segments or SLA, as a push would. */
  updateMonitor(change: (monitor: MonitorState) => MonitorState): void
  setLiveFilter(filter: LiveFilter): Promise<void>
  pause(): void
  resume(): void
  setFollowing(following: boolean): void
  select(event: StoredEvent | null): void
  /** Moves the selection by `delta` rows of the Live table (+1 newer, -1 older). */
  selectRelative(delta: number): void
  /** Stops listening to the connection and the store. */
  dispose(): void
}

export function createInspector(connection: StoreConnection): Inspector {
  const { api } = connection
  const store = createAppStore(connection.kind, connection.state())
  const update = (change: (live: LiveState) => LiveState): void =>
    store.setState((state) => ({ live: change(state.live) }))
  let subscribeCalls = 0

  const reportError = (error: UiError): void =>
    store.setState((state) => ({ session: { ...state.session, lastError: error } }))

  const subscribeLive = async (filter: LiveFilter): Promise<void> => {
    const { session, live } = store.getState()
    const call = ++subscribeCalls
    if (live.subscriptionId !== null) {
      void api.unsubscribe({ subscription_id: live.subscriptionId })
    }
    const handle = session.currentHandle
    store.setState({ live: liveSubscribing(filter) })
    if (handle === null) return
    const last = session.stores[handle]?.last_sequence ?? 0
    const result = await api.subscribe({
      handle,
      filter: eventFilterOf(filter),
      from_sequence: Math.max(1, last - LIVE_BACKLOG_EVENTS + 1),
    })
    if (call !== subscribeCalls) {
      // A newer store or filter was chosen while this call was out.
      if (result.ok) void api.unsubscribe({ subscription_id: result.value.subscription_id })
      return
    }
    if (!result.ok) {
      update((current) => ({ ...current, status: 'idle' }))
      reportError({ ...result.error, action: 'Starting the live stream' })
      return
    }
    update((current) => liveSubscribed(current, result.value.subscription_id))
  }

  const refreshShownStore = async (handle: StoreHandle): Promise<void> => {
    const [summary, sla] = await Promise.all([api.summary({ handle }), api.slaSnapshot({ handle })])
    store.setState((state) => ({
      session: summary.ok ? sessionWithStore(state.session, summary.value) : state.session,
      monitor: sla.ok ? monitorWith(state.monitor, 'sla', handle, sla.value) : state.monitor,
    }))
  }

  const onStoreShown = (handle: StoreHandle | null): void => {
    store.setState({ selection: { event: null } })
    void subscribeLive(NO_LIVE_FILTER)
    if (handle !== null) void refreshShownStore(handle)
  }

  const adopt = (result: Result<StoreSummary>): Result<StoreSummary> => {
    if (result.ok) {
      store.setState((state) => ({
        session: { ...sessionWithStore(state.session, result.value), lastError: null },
      }))
      showStore(result.value.handle)
    }
    return result
  }

  const showStore = (handle: StoreHandle): void => {
    store.setState((state) => ({
      session: { ...state.session, currentHandle: handle },
      navigation: { ...state.navigation, view: 'live' },
    }))
  }

  const refreshStores = async (): Promise<void> => {
    const [open, recent] = await Promise.all([api.listOpen(), api.listRecent()])
    store.setState((state) => ({
      session: {
        ...(open.ok ? sessionWithOpenStores(state.session, open.value) : state.session),
        recent: recent.ok ? recent.value : null,
      },
    }))
    if (!open.ok) reportError({ ...open.error, action: 'Listing the open stores' })
  }

  const loadStart = async (): Promise<void> => {
    await refreshStores()
    const handle = store.getState().session.currentHandle
    if (handle !== null) showStore(handle)
  }

  /** resync starts over after a lost link: the host forgot that link's subscriptions. */
  const resync = async (): Promise<void> => {
    const shown = store.getState().session.currentHandle
    await refreshStores()
    // A different store shown now has been resubscribed by the reaction already.
    if (store.getState().session.currentHandle === shown) {
      await subscribeLive(store.getState().live.filter)
    }
  }

  const stopPushes = connection.onPush((batch) =>
    store.setState((state) => reducePushBatch(state, batch, Date.now())),
  )
  const stopConnection = connection.onState((state) => {
    const previous = store.getState().session.connection
    store.setState((current) => ({ session: { ...current.session, connection: state } }))
    if (state === 'open' && previous === 'reconnecting') void resync()
  })
  const stopReaction = store.subscribe((state, previous) => {
    if (state.session.currentHandle !== previous.session.currentHandle) {
      onStoreShown(state.session.currentHandle)
    }
  })

  return {
    store,
    api,
    refreshStores,
    loadStart,
    openStore: async (path, access) => adopt(await api.openStore({ path, access })),
    createStore: async (path) => adopt(await api.createStore({ path })),
    openDemo: async () => adopt(await api.openDemo()),
    showStore,
    navigate: (view) => store.setState((state) => ({ navigation: { ...state.navigation, view } })),
    queryFor: (queryFilter) =>
      store.setState((state) => ({
        navigation: { ...state.navigation, view: 'query', queryFilter },
      })),
    setHelpOpen: (helpOpen) =>
      store.setState((state) => ({ navigation: { ...state.navigation, helpOpen } })),
    reportError,
    dismissError: () =>
      store.setState((state) => ({ session: { ...state.session, lastError: null } })),
    finishCommand: (id) =>
      store.setState((state) => ({ navigation: navigationWithoutCommand(state.navigation, id) })),
    openDroppedFolder: (file) => {
      const action = `Opening the dropped ${file.name}`
      const path = connection.pathForFile?.(file) ?? null
      if (path === null) {
        reportError({ code: 'not_available', message: DROP_NEEDS_DESKTOP_APP, action })
      } else if (path === '') {
        reportError({ code: 'validation', message: 'It is not a folder on this computer.', action })
      } else {
        store.setState((state) => ({
          navigation: navigationWithCommand(state.navigation, { kind: 'open_folder', path }),
        }))
      }
    },
    updateMonitor: (change) => store.setState((state) => ({ monitor: change(state.monitor) })),
    setLiveFilter: subscribeLive,
    pause: () => update(livePaused),
    resume: () => update(liveResumed),
    setFollowing: (following) => update((live) => liveFollowing(live, following)),
    select: (event) => store.setState({ selection: { event } }),
    selectRelative: (delta) => {
      const state = store.getState()
      const rows = selectVisibleRows(state)
      const selected = state.selection.event
      const index =
        selected === null ? -1 : rows.findIndex((row) => row.sequence === selected.sequence)
      const target = index === -1 ? rows.at(-1) : rows[index + delta]
      if (target !== undefined) store.setState({ selection: { event: target } })
    },
    dispose: () => {
      stopPushes()
      stopConnection()
      stopReaction()
    },
  }
}
