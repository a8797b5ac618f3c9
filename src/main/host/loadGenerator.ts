import type { ErrorBody } from '../../shared/errorCodes'
import type { EventInput } from '../../shared/event'
import type { LoadSettings, LoadShape, LoadStatus } from '../../shared/storeApi'
import { LOAD_RATE_MAX } from '../../shared/storeApi'
import type { EventStore } from '../engine/eventStore'
import { BATCH_EVENTS_MAX } from '../engine/limits'
import { StoreError, ValidationError } from '../engine/errors'
import { DemoEvents } from './demoEvents'
import type { HostLog } from './hostResult'
import { errorBodyOf } from './hostResult'
import { LOAD_BATCHES_IN_FLIGHT_MAX, LOAD_TICK_MS } from './hostLimits'

const SHAPES: readonly LoadShape[] = ['demo', 'small', 'large']
/** Codes after which appending again cannot succeed until someone acts: the generator stops. */
const STOPPING_CODES = new Set(['store_closed', 'read_only', 'needs_recovery', 'store_failed'])

/**
 * LoadGenerator appends events to a store at a steady rate, in small batches on a timer
 * (one per LOAD_TICK_MS at most), so the UI has live traffic to show. It never queues
 * without bound: with LOAD_BATCHES_IN_FLIGHT_MAX batches not yet durable it skips a tick
 * and forgets that tick's events rather than bursting later. It stops by itself when the
 * store closes or refuses appends for good (read-only, needs recovery, failed).
 */
export class LoadGenerator {
  private settings: LoadSettings = { rate: 1, shape: 'demo' }
  private timer: NodeJS.Timeout | null = null
  private stopClose: () => void = () => undefined
  private inFlight = 0
  private owed = 0
  private lastTickMs = 0
  private appended = 0
  private errors = 0
  private lastError: ErrorBody | null = null
  private startedAt: string | null = null
  private events = new DemoEvents({ seed: 1 })

  constructor(
    private readonly store: () => EventStore,
    private readonly log: HostLog,
  ) {}

  /** start (re)starts appending with `settings`; counts start from zero. */
  start(settings: LoadSettings): LoadStatus {
    const checked = checkSettings(settings)
    const store = this.store()
    this.stop()
    this.settings = checked
    this.events = new DemoEvents({ seed: Date.now() >>> 0 })
    Object.assign(this, { appended: 0, errors: 0, lastError: null, owed: 0, inFlight: 0 })
    this.startedAt = new Date().toISOString()
    this.lastTickMs = performance.now()
    this.stopClose = store.onClose(() => this.stop())
    this.timer = setInterval(() => this.tick(store), LOAD_TICK_MS)
    return this.status()
  }

  stop(): LoadStatus {
    if (this.timer) {
      clearInterval(this.timer)
      this.timer = null
      this.stopClose()
    }
    return this.status()
  }

  status(): LoadStatus {
    return {
      running: this.timer !== null,
      rate: this.settings.rate,
      shape: this.settings.shape,
      appended: this.appended,
      errors: this.errors,
      last_error: this.lastError,
      started_at: this.startedAt,
    }
  }

  private tick(store: EventStore): void {
    const now = performance.now()
    const owedMax = (this.settings.rate * LOAD_TICK_MS * LOAD_BATCHES_IN_FLIGHT_MAX) / 1000 + 1
    this.owed = Math.min(owedMax, this.owed + (this.settings.rate * (now - this.lastTickMs)) / 1000)
    this.lastTickMs = now
    const count = Math.min(Math.floor(this.owed), BATCH_EVENTS_MAX)
    if (count === 0) return
    if (this.inFlight >= LOAD_BATCHES_IN_FLIGHT_MAX) {
      this.owed -= count
      return
    }
    this.owed -= count
    this.inFlight++
    const batch = Array.from({ length: count }, () => this.makeEvent())
    store.appendBatch(batch).then(
      () => {
        this.inFlight--
        this.appended += count
      },
      (error: unknown) => this.failed(count, error),
    )
  }

  private failed(count: number, error: unknown): void {
    this.inFlight--
    this.errors += count
    this.lastError = errorBodyOf('append generated events', this.log, error)
    if (error instanceof StoreError && STOPPING_CODES.has(error.code)) this.stop()
  }

  private makeEvent(): EventInput {
    const event = this.events.next()
    if (this.settings.shape === 'demo') return event
    if (this.settings.shape === 'small') {
      return {
        event_type: 'agent_heartbeat',
        aggregate_id: event.aggregate_id,
        data: { n: this.appended },
      }
    }
    // 'large': the realistic event with a few kilobytes of output attached.
    return { ...event, data: { ...event.data, output: 'x'.repeat(4096) } }
  }
}

function checkSettings(settings: LoadSettings): LoadSettings {
  const { rate, shape } = settings ?? {}
  if (!Number.isSafeInteger(rate) || rate < 1 || rate > LOAD_RATE_MAX) {
    throw new ValidationError(
      'settings.rate',
      `must be a whole number of events per second from 1 to ${LOAD_RATE_MAX} (LOAD_RATE_MAX), got ${String(rate)}`,
    )
  }
  if (!SHAPES.includes(shape)) {
    throw new ValidationError(
      'settings.shape',
      `must be one of ${SHAPES.join(', ')}, got ${String(shape)}`,
    )
  }
  return { rate, shape }
}
