/**
 * Push events: what the host sends the UI without being asked. They travel in batches
 * (PushBatch), at most one batch per PUSH_INTERVAL_MS per client, so a busy store sends
 * the renderer a few messages a second, not one per append.
 */
import type { StoredEvent } from './event'
import type { DetailedHealth, SlaSnapshot, SlaTransition } from './sla'
import type { JobInfo, LoadStatus, SegmentInfo, StoreHandle, StoreSummary } from './storeApi'

export type SubscriptionEndReason = 'closed' | 'store_closed' | 'overflow' | 'error'

export type PushEvent =
  /** New events of a live subscription, in sequence order, no gap and no duplicate. */
  | { type: 'events'; subscription_id: string; events: StoredEvent[] }
  /** The subscription is over; `overflow` means the client did not keep up. */
  | { type: 'subscription_ended'; subscription_id: string; reason: SubscriptionEndReason }
  | { type: 'job'; job: JobInfo }
  | { type: 'segments'; handle: StoreHandle; segments: SegmentInfo[] }
  | { type: 'sla'; handle: StoreHandle; snapshot: SlaSnapshot }
  | { type: 'health'; handle: StoreHandle; health: DetailedHealth }
  | { type: 'degradation'; handle: StoreHandle; transition: SlaTransition }
  /** The store's summary changed (mode, counts); null when it was closed. */
  | { type: 'store'; handle: StoreHandle; summary: StoreSummary | null }
  /** The store's load generator started, stopped or changed its counts. */
  | { type: 'load'; handle: StoreHandle; status: LoadStatus }
  /** A native menu item the renderer acts on (Electron only). */
  | { type: 'menu'; command: MenuCommand; handle?: StoreHandle }

/** show_store: a store was opened from the menu; verify / run_recovery: on the shown store. */
export type MenuCommand = 'show_store' | 'verify' | 'run_recovery'

export type PushBatch = PushEvent[]

/** Pushes are flushed at least this often while there are any. */
export const PUSH_INTERVAL_MS = 50
/** A batch is flushed early when it holds this many events (counting live events singly). */
export const PUSH_BATCH_EVENTS_MAX = 2000
/** A client that has this many undelivered events is dropped from its subscriptions. */
export const PUSH_QUEUE_EVENTS_MAX = 20_000

/** PUSH_CHANNEL is the IPC channel pushes travel on. */
export const PUSH_CHANNEL = 'lighthouse:push'
/** CALL_CHANNEL is the IPC channel StoreApi calls travel on: (method, args). */
export const CALL_CHANNEL = 'lighthouse:call'
