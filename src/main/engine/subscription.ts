import { AsyncLocalStorage } from 'node:async_hooks'
import type { StoredEvent } from '../../shared/event'
import type { EventFilter } from '../../shared/query'
import type { EventStore } from './eventStore'
import { compileFilter } from './eventFilter'
import { readEventBatches } from './replay'
import { ValidationError } from './errors'
import { SUBSCRIPTION_DELIVERY_EVENTS_MAX, SUBSCRIPTION_QUEUE_EVENTS_MAX } from './limits'

/**
 * A subscription delivers the events matching a filter from a position on: first those
 * already stored (catch-up, read from disk), then new ones as they become durable (live),
 * with no gap and no duplicate at the switch, whatever is appended meanwhile.
 *
 * How the switch stays exact: the append listener is registered first, in the same
 * synchronous step that reads the store's last sequence, so every later event reaches the
 * subscription's queue. Catch-up reads from disk up to at least that sequence; the queue
 * then continues exactly where the disk left off, and anything already delivered is skipped.
 *
 * Memory is bounded by `queueEventsMax` events. While catching up, a full queue is emptied
 * and catch-up reads further from disk instead (the events are stored, nothing is lost).
 * Once live, a full queue means the subscriber cannot keep up: it is told (onEnd, reason
 * `overflow`, with the position to resume from) and dropped. Deliveries are in order, one
 * `onEvents` call at a time, each awaited, with at most SUBSCRIPTION_DELIVERY_EVENTS_MAX
 * events. Events are shared between subscribers: treat them as read-only.
 *
 * On a store opened read-only, new events arrive when `refresh()` finds them: `follow()`
 * calls it as the writer process appends.
 *
 * Each event delivered from the queue is timed in the store's metrics (series `delivery`),
 * from the moment the store handed it over until the `onEvents` call that carries it begins.
 */
export type SubscriptionFilter = EventFilter

export interface SubscribeOptions {
  filter?: SubscriptionFilter
  /** First sequence wanted (inclusive). Default: the next event to be appended. */
  fromSequence?: number
  /** Events that may wait for delivery, 1 to SUBSCRIPTION_QUEUE_EVENTS_MAX (the default). */
  queueEventsMax?: number
  onEvents: (events: StoredEvent[]) => void | Promise<void>
  /** Called once, after the last `onEvents` call has returned. */
  onEnd?: (end: SubscriptionEnd) => void
}

export type SubscriptionState = 'catching_up' | 'live' | 'ended'

export interface SubscriptionEnd {
  reason: 'closed' | 'store_closed' | 'overflow' | 'error'
  message: string
  /** Subscribing again from here continues without a gap or a duplicate. */
  resumeFrom: number
  error?: unknown
}

export interface Subscription {
  readonly state: SubscriptionState
  /** The sequence of the last event delivered (its `onEvents` returned), 0 before any. */
  readonly position: number
  /** Resolves with how the subscription ended. */
  readonly ended: Promise<SubscriptionEnd>
  /**
   * close stops deliveries and resolves once no `onEvents` call is running. Called from
   * inside `onEvents`, it resolves at once (waiting there would wait for itself).
   */
  close(): Promise<void>
}

/** subscribe starts a subscription; see the module comment for its guarantees. */
export function subscribe(store: EventStore, options: SubscribeOptions): Subscription {
  return new SubscriptionRunner(store, options)
}

/** The subscription whose `onEvents` call is running, so close() from inside it never waits. */
const delivering = new AsyncLocalStorage<SubscriptionRunner>()

export class SubscriptionRunner implements Subscription {
  private readonly matches: (event: StoredEvent) => boolean
  private readonly queueEventsMax: number
  /** Every sequence up to here was delivered or did not match. */
  private cursor: number
  /** The last sequence the append listener received (or the store's last one at the start). */
  private liveSeen: number
  /** The listener's events before this were dropped while catching up: disk must cover them. */
  private droppedThrough = 0
  private queue: StoredEvent[] = []
  /**
   * When each group of queued events arrived (timer readings), oldest first: a group's
   * events are those up to `through`. One per group with a queued event, dropped as its
   * events are handed over and cleared whenever the queue runs empty, so bounded as the queue.
   */
  private arrivals: { through: number; at: number }[] = []
  private endRequest: Omit<SubscriptionEnd, 'resumeFrom'> | null = null
  private stateValue: SubscriptionState = 'catching_up'
  private positionValue = 0
  /** The last sequence handed to `onEvents` (its call may still be running). */
  offered = 0
  private wake: (() => void) | null = null
  private readonly stopListening: () => void
  private readonly stopOnClose: () => void
  private readonly running: Promise<void>
  readonly ended: Promise<SubscriptionEnd>
  private resolveEnded: (end: SubscriptionEnd) => void = () => undefined

  constructor(
    private readonly store: EventStore,
    private readonly options: SubscribeOptions,
  ) {
    const compiled = compileFilter(options.filter ?? {})
    const { fromSequence: low, toSequence: high } = compiled
    this.matches = (event) =>
      event.sequence >= low && event.sequence <= high && compiled.matches(event)
    this.queueEventsMax = queueBound(options.queueEventsMax)
    const fromSequence = startBound(options.fromSequence)
    this.ended = new Promise((resolve) => (this.resolveEnded = resolve))
    // These two steps are one synchronous block: no event can fall between them.
    this.stopListening = store.onAppend((events) => this.receive(events))
    this.stopOnClose = store.onClose(() =>
      this.end({
        reason: 'store_closed',
        message: 'The store was closed; subscribe again from `resumeFrom` after reopening it.',
      }),
    )
    this.liveSeen = store.lastSequence
    this.cursor = (fromSequence ?? this.liveSeen + 1) - 1
    this.running = this.run()
  }

  get state(): SubscriptionState {
    return this.endRequest ? 'ended' : this.stateValue
  }

  get position(): number {
    return this.positionValue
  }

  close(): Promise<void> {
    this.end({ reason: 'closed', message: 'The subscription was closed.' })
    if (delivering.getStore() === this) return Promise.resolve()
    return this.running
  }

  /** receive runs on the append path: it only queues, and never waits. */
  private receive(events: readonly StoredEvent[]): void {
    if (this.endRequest) return
    const queued = this.queue.length
    for (const event of events) {
      if (event.sequence <= this.liveSeen) continue
      if (event.sequence !== this.liveSeen + 1) {
        const message = `The store handed over event ${event.sequence} after ${this.liveSeen}: events in between were never received.`
        this.end({ reason: 'error', message })
        return
      }
      this.liveSeen = event.sequence
      if (this.matches(event)) this.queue.push(event)
    }
    const { metrics } = this.store
    if (metrics.recordingLatency && this.queue.length > queued) {
      this.arrivals.push({ through: this.queue.at(-1)!.sequence, at: metrics.startTimer() })
    }
    if (this.queue.length > this.queueEventsMax) this.overflow()
    this.wake?.()
  }

  private overflow(): void {
    if (this.stateValue === 'catching_up') {
      // Stored events: catch-up reads them from disk, so the queue can start afresh.
      this.droppedThrough = this.liveSeen
      this.queue = []
      this.arrivals = []
      return
    }
    const waiting = this.queue.length
    this.end({
      reason: 'overflow',
      message:
        `The subscriber did not keep up: ${waiting} events were waiting for delivery, over the limit of ` +
        `${this.queueEventsMax} (queueEventsMax; at most SUBSCRIPTION_QUEUE_EVENTS_MAX, ${SUBSCRIPTION_QUEUE_EVENTS_MAX}). ` +
        'It was dropped; subscribe again from `resumeFrom` to continue.',
    })
  }

  private end(request: Omit<SubscriptionEnd, 'resumeFrom'>): void {
    if (this.endRequest) return
    this.endRequest = request
    this.stopListening()
    this.stopOnClose()
    this.queue = []
    this.arrivals = []
    this.wake?.()
  }

  private async run(): Promise<void> {
    try {
      await this.catchUp()
      this.stateValue = 'live'
      await this.deliverLive()
    } catch (error) {
      const message = `The subscription stopped: ${error instanceof Error ? error.message : String(error)}`
      this.end({ reason: 'error', message, error })
    }
    this.stateValue = 'ended'
    const end: SubscriptionEnd = { ...this.endRequest!, resumeFrom: this.cursor + 1 }
    try {
      this.options.onEnd?.(end)
    } finally {
      this.resolveEnded(end)
    }
  }

  /**
   * catchUp reads stored events until the disk has covered everything the queue lacks: the
   * events before the listener was registered, and any the queue dropped meanwhile.
   */
  private async catchUp(): Promise<void> {
    const registeredAt = this.liveSeen
    while (!this.endRequest && this.cursor < Math.max(registeredAt, this.droppedThrough)) {
      const toSequence = this.store.lastSequence
      if (toSequence <= this.cursor) {
        throw new Error(
          `the store's last event went back to ${toSequence} while ${this.cursor} had been read (was it recovered meanwhile?)`,
        )
      }
      for await (const batch of readEventBatches(this.store, this.cursor + 1, { toSequence })) {
        if (this.endRequest) return
        await this.deliver(batch.events.filter(this.matches))
        if (this.endRequest) return
        this.cursor = Math.max(this.cursor, batch.throughSequence)
      }
    }
  }

  private async deliverLive(): Promise<void> {
    while (!this.endRequest) {
      if (this.queue.length === 0) {
        // Everything received so far was delivered or did not match.
        this.cursor = Math.max(this.cursor, this.liveSeen)
        this.arrivals = []
        await new Promise<void>((resolve) => (this.wake = resolve))
        this.wake = null
        continue
      }
      const taken = this.queue.splice(0, SUBSCRIPTION_DELIVERY_EVENTS_MAX)
      await this.deliver(
        taken.filter((event) => event.sequence > this.cursor),
        (slice) => this.recordDelivery(slice),
      )
    }
  }

  /** recordDelivery times each event of a slice from its arrival, now that it is handed over. */
  private recordDelivery(slice: readonly StoredEvent[]): void {
    const metrics = this.store.metrics
    if (!metrics.recordingLatency) return
    const now = metrics.startTimer()
    const atMs = metrics.nowMs()
    let passed = 0
    for (const event of slice) {
      while (passed < this.arrivals.length && this.arrivals[passed]!.through < event.sequence) {
        passed++
      }
      const arrival = this.arrivals[passed]
      if (arrival) metrics.record('delivery', (now - arrival.at) * 1000, atMs)
    }
    this.arrivals.splice(0, passed)
  }

  /**
   * deliver hands events over in slices, each awaited; the cursor follows each slice.
   * `onHandOver` runs just before each slice is handed over.
   */
  private async deliver(
    events: StoredEvent[],
    onHandOver?: (slice: readonly StoredEvent[]) => void,
  ): Promise<void> {
    for (let i = 0; i < events.length && !this.endRequest; i += SUBSCRIPTION_DELIVERY_EVENTS_MAX) {
      const slice = events.slice(i, i + SUBSCRIPTION_DELIVERY_EVENTS_MAX)
      const last = slice.at(-1)!.sequence
      onHandOver?.(slice)
      this.offered = last
      await delivering.run(this, () => this.options.onEvents(slice))
      this.positionValue = last
      this.cursor = Math.max(this.cursor, last)
    }
  }
}

function queueBound(value: number | undefined): number {
  if (value === undefined) return SUBSCRIPTION_QUEUE_EVENTS_MAX
  if (!Number.isSafeInteger(value) || value < 1 || value > SUBSCRIPTION_QUEUE_EVENTS_MAX) {
    throw new ValidationError(
      'queueEventsMax',
      `must be a whole number from 1 to ${SUBSCRIPTION_QUEUE_EVENTS_MAX} (SUBSCRIPTION_QUEUE_EVENTS_MAX), got ${String(value)}`,
    )
  }
  return value
}

function startBound(value: number | undefined): number | undefined {
  if (value === undefined) return undefined
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new ValidationError(
      'fromSequence',
      `must be a whole number of at least 1, got ${String(value)}`,
    )
  }
  return value
}
