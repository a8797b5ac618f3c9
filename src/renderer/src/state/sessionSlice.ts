/**
 * The session: which host the page talks to, the stores open in it, the one shown, and the
 * last error a person should read. Pure functions over SessionState; appStore applies them.
 */
import type { ErrorBody } from '../../../shared/errorCodes'
import type { RecentStore, StoreHandle, StoreSummary } from '../../../shared/storeApi'
import type { BridgeKind, ConnectionState } from '../api/storeConnection'

/** UiError is a failed call as the banner shows it: what was attempted, and what went wrong. */
export interface UiError extends ErrorBody {
  /** What the user was doing, e.g. "Opening /data/orders". */
  action: string
}

export interface SessionState {
  bridge: BridgeKind
  connection: ConnectionState
  stores: Record<StoreHandle, StoreSummary>
  currentHandle: StoreHandle | null
  /** The recent list; null until loaded, and in browser mode, where the host has none. */
  recent: RecentStore[] | null
  lastError: UiError | null
}

export function initialSession(bridge: BridgeKind, connection: ConnectionState): SessionState {
  return { bridge, connection, stores: {}, currentHandle: null, recent: null, lastError: null }
}

/** sessionWithStore records a summary (opened, refreshed or pushed) without changing focus. */
export function sessionWithStore(session: SessionState, summary: StoreSummary): SessionState {
  return { ...session, stores: { ...session.stores, [summary.handle]: summary } }
}

/** sessionWithoutStore forgets a closed store; the shown store falls back to another one. */
export function sessionWithoutStore(session: SessionState, handle: StoreHandle): SessionState {
  if (!(handle in session.stores) && session.currentHandle !== handle) return session
  const { [handle]: _closed, ...stores } = session.stores
  const currentHandle =
    session.currentHandle === handle ? (Object.keys(stores)[0] ?? null) : session.currentHandle
  return { ...session, stores, currentHandle }
}

/** sessionWithOpenStores replaces the list of open stores, as `listOpen` reports it. */
export function sessionWithOpenStores(
  session: SessionState,
  summaries: StoreSummary[],
): SessionState {
  const stores = Object.fromEntries(summaries.map((summary) => [summary.handle, summary]))
  const currentHandle =
    session.currentHandle !== null && session.currentHandle in stores
      ? session.currentHandle
      : (summaries[0]?.handle ?? null)
  return { ...session, stores, currentHandle }
}
