import type { StoredEvent } from '../../shared/event'
import type { PushBatch, PushEvent } from '../../shared/push'
import { PUSH_BATCH_EVENTS_MAX, PUSH_INTERVAL_MS, PUSH_QUEUE_EVENTS_MAX } from '../../shared/push'

/**
 * PushChannel carries one client's pushes: it gathers them into batches sent at most every
 * PUSH_INTERVAL_MS, or as soon as PUSH_BATCH_EVENTS_MAX events are waiting, one batch at a
 * time. Nothing here ever waits on the append path: pushing only queues.
 *
 * The queue is bounded in two ways. Pushes that describe a state (a job, a store's
 * summary, its segments, SLA, health, load) replace a queued push about the same thing, so they
 * never pile up. Live events cannot be replaced: once more than PUSH_QUEUE_EVENTS_MAX are
 * waiting, `onOverflow` tells the owner, which drops the client's subscriptions.
 */

/**
 * PushSink delivers one batch to the client. It may return a promise: the next batch waits
 * until it settles, which is how a slow transport (a WebSocket with a full buffer) pushes
 * back. A sink that never settles gets nothing more, and its subscriptions overflow.
 */
export type PushSink = (batch: PushBatch) => void | Promise<void>

/** PushScheduler runs `run` after `delayMs` and returns a function that cancels it. */
export type PushScheduler = (run: () => void, delayMs: number) => () => void

export const timerScheduler: PushScheduler = (run, delayMs) => {
  const timer = setTimeout(run, delayMs)
  return () => clearTimeout(timer)
}

export interface PushChannelOptions {
  sink: PushSink
  /** More than PUSH_QUEUE_EVENTS_MAX events are waiting for this client. */
  onOverflow: () => void
  /** The sink threw or rejected; the batch is lost, later ones are still sent. */
  onSinkError: (error: unknown) => void
  scheduler?: PushScheduler
}

/** A subscription waiting for room resumes once the queue is down to this many events. */
const ROOM_EVENTS_MAX = PUSH_QUEUE_EVENTS_MAX / 2

export class PushChannel {
  private queue: PushEvent[] = []
  private queuedEvents = 0
  private cancelFlush: (() => void) | null = null
  private flushDelayMs = 0
  private sending = false
  private closed = false
  private roomWaiters: (() => void)[] = []
  private readonly scheduler: PushScheduler

  constructor(private readonly options: PushChannelOptions) {
    this.scheduler = options.scheduler ?? timerScheduler
  }

  /** Events waiting to be sent (a push other than live events counts as one). */
  get queued(): number {
    return this.queuedEvents
  }

  /** push queues one push, replacing a queued push about the same state. */
  push(event: PushEvent): void {
    if (this.closed) return
    const key = stateKey(event)
    const at = key === null ? -1 : this.queue.findIndex((queued) => stateKey(queued) === key)
    if (at >= 0) this.queue[at] = event
    else this.add(event, 1)
  }

  /** pushEvents queues live events of one subscription, in order. */
  pushEvents(subscriptionId: string, events: readonly StoredEvent[]): void {
    if (this.closed || events.length === 0) return
    const last = this.queue.at(-1)
    if (last?.type === 'events' && last.subscription_id === subscriptionId) {
      last.events.push(...events)
      this.queuedEvents += events.length
      this.scheduleFlush()
    } else {
      this.add(
        { type: 'events', subscription_id: subscriptionId, events: [...events] },
        events.length,
      )
    }
    if (this.queuedEvents > PUSH_QUEUE_EVENTS_MAX) this.options.onOverflow()
  }

  /** dropSubscription forgets the queued events of a subscription that ended. */
  dropSubscription(subscriptionId: string): void {
    this.queue = this.queue.filter(
      (event) => event.type !== 'events' || event.subscription_id !== subscriptionId,
    )
    this.queuedEvents = this.queue.reduce((sum, event) => sum + weightOf(event), 0)
    this.wakeRoomWaiters()
  }

  /**
   * room resolves once the queue has room for more live events: a subscription awaits it
   * between deliveries, so catching up from disk goes at the client's pace, while live
   * events wait in the engine's own bounded subscription queue.
   */
  room(): Promise<void> {
    if (this.closed || this.queuedEvents <= ROOM_EVENTS_MAX) return Promise.resolve()
    return new Promise((resolve) => this.roomWaiters.push(resolve))
  }

  close(): void {
    this.closed = true
    this.cancelFlush?.()
    this.cancelFlush = null
    this.queue = []
    this.queuedEvents = 0
    this.wakeRoomWaiters()
  }

  private add(event: PushEvent, weight: number): void {
    this.queue.push(event)
    this.queuedEvents += weight
    this.scheduleFlush()
  }

  /** scheduleFlush plans the next batch: soon when a full one waits, else after the interval. */
  private scheduleFlush(): void {
    if (this.sending || this.closed || this.queue.length === 0) return
    const delayMs = this.queuedEvents >= PUSH_BATCH_EVENTS_MAX ? 0 : PUSH_INTERVAL_MS
    if (this.cancelFlush && this.flushDelayMs <= delayMs) return
    this.cancelFlush?.()
    this.flushDelayMs = delayMs
    this.cancelFlush = this.scheduler(() => {
      this.cancelFlush = null
      void this.flush()
    }, delayMs)
  }

  private async flush(): Promise<void> {
    const batch = this.takeBatch()
    this.sending = true
    try {
      await this.options.sink(batch)
    } catch (error) {
      this.options.onSinkError(error)
    } finally {
      this.sending = false
    }
    this.wakeRoomWaiters()
    this.scheduleFlush()
  }

  /** takeBatch removes up to PUSH_BATCH_EVENTS_MAX events' worth of pushes, splitting one if needed. */
  private takeBatch(): PushBatch {
    const batch: PushBatch = []
    let weight = 0
    while (this.queue.length > 0 && weight < PUSH_BATCH_EVENTS_MAX) {
      const next = this.queue[0]!
      const room = PUSH_BATCH_EVENTS_MAX - weight
      if (next.type === 'events' && next.events.length > room) {
        batch.push({ ...next, events: next.events.splice(0, room) })
        weight += room
        break
      }
      batch.push(this.queue.shift()!)
      weight += weightOf(next)
    }
    this.queuedEvents -= weight
    return batch
  }

  private wakeRoomWaiters(): void {
    if (!this.closed && this.queuedEvents > ROOM_EVENTS_MAX) return
    const waiters = this.roomWaiters
    this.roomWaiters = []
    for (const wake of waiters) wake()
  }
}

function weightOf(event: PushEvent): number {
  return event.type === 'events' ? event.events.length : 1
}

/** stateKey names the state a push describes, or null for pushes that must all arrive. */
function stateKey(event: PushEvent): string | null {
  switch (event.type) {
    case 'job':
      return `job:${event.job.job_id}`
    case 'segments':
    case 'sla':
    case 'health':
    case 'load':
    case 'store':
      return `${event.type}:${event.handle}`
    default:
      return null
  }
}
