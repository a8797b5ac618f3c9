import type { AppendResult, EventInput } from '../../shared/event'
import type { WriteBlock } from '../../shared/sla'
import type { ActiveSegment } from './appendLog'
import { AppendLog } from './appendLog'
import type { ExpectedVersions } from './aggregateVersions'
import { AggregateVersions, validateExpectedVersions } from './aggregateVersions'
import type { EventIdClock } from './eventId'
import { formatEventId } from './eventId'
import { IdempotencyWindow, idempotencyKeys } from './idempotencyWindow'
import { buildEvent, decodeEvent, encodeEvent } from './eventCodec'
import { encodeRecord, recordPayload } from './recordCodec'
import type { StoreMetrics } from './metrics/storeMetrics'
import type { SegmentUpkeep } from './segmentUpkeep'
import type { StoreReads } from './storeReads'
import type { IndexedFields } from './eventFields'
import { readIndexedFields } from './eventFields'
import type { StoreState } from './storeState'
import type { AdmitOptions } from './sla/appendAdmission'
import { writeCleanMarker } from './cleanMarker'
import { StoreError, ValidationError } from './errors'
import { BATCH_BYTES_MAX, BATCH_EVENTS_MAX } from './limits'

/** AppendOptions are the checks an append can ask for, and who asks. */
export interface AppendOptions {
  /** Per aggregate id: the number of events it must have now, or 'no_stream' for none. */
  expected_versions?: ExpectedVersions
  /**
   * The caller holds the admin scope: in EMERGENCY and RECOVERING it may still append the
   * degradation, recovery and emergency event types (see appendAdmission.ts).
   */
  admin?: boolean
}

/**
 * Admission says why appends of these event types are refused right now, or null (the
 * SLA monitor's admit). It runs before an entry is queued, so a refusal takes no sequence.
 */
export type Admission = (eventTypes: readonly string[], options: AdmitOptions) => WriteBlock | null

/** LogStart is where a writer's append log begins (see storeOpening.ts openActiveSegment). */
export interface LogStart {
  active: ActiveSegment
  /** True when the open created the active segment: it is not in the analysis yet. */
  created: boolean
  nextSequence: number
  segmentNumberMax: number
  segmentBytesMax: number
  segmentAgeMs: number
}

/**
 * StoreWrites is the write path: it validates, numbers and encodes events, checks expected
 * versions and idempotency keys, and hands records to the append log, whose group commits
 * it turns into an updated segment list and append notifications. A writer that opened
 * with damage has no log: every append is refused with the reason.
 *
 * Each append is counted in the store's metrics once it settles: acknowledged, failed
 * inside the store, or refused (see StoreMetrics); an acknowledged one is timed from the
 * call to the acknowledgement.
 */
export class StoreWrites {
  readonly log: AppendLog | null
  private readonly idempotency: IdempotencyWindow
  private readonly versions: AggregateVersions
  /**
   * The events behind records on their way to disk, for the active segment's index to take
   * their fields from once they are durable instead of decoding them again. Weak: a record
   * that never becomes durable takes its entry with it.
   */
  private readonly indexedFields = new WeakMap<Buffer, IndexedFields>()

  constructor(
    private readonly state: StoreState,
    private readonly reads: StoreReads,
    private readonly upkeep: SegmentUpkeep,
    private readonly clock: EventIdClock,
    private readonly metrics: StoreMetrics,
    private readonly admission: Admission,
    start: LogStart | null,
  ) {
    const { ctx } = state
    this.log =
      start &&
      new AppendLog(
        {
          fs: ctx.fs,
          dir: ctx.dir,
          storeId: ctx.storeId,
          nowMs: ctx.nowMs,
          segmentBytesMax: start.segmentBytesMax,
          segmentAgeMs: start.segmentAgeMs,
          metrics,
          onDurable: (segment, records) => this.durable(segment, records),
          onRotated: (previous, next) => this.rotated(previous, next),
          onFailed: (error) => state.setMode('failed', error.message),
        },
        start.active,
        start.nextSequence,
        start.segmentNumberMax,
      )
    if (start?.created) state.addActive(start.active)
    this.idempotency = new IdempotencyWindow(ctx.nowMs)
    this.versions = new AggregateVersions(
      (aggregates, through) => reads.countEvents(aggregates, through),
      () => this.log?.lastAssigned ?? { sequence: state.lastSequence, durable: Promise.resolve() },
    )
  }

  append(input: unknown, options: AppendOptions): Promise<AppendResult[]> {
    return this.appendChecked(input, 'event', options, this.metrics.startTimer())
  }

  appendBatch(inputs: unknown, options: AppendOptions): Promise<AppendResult[]> {
    return this.appendChecked(inputs, 'events', options, this.metrics.startTimer())
  }

  /** submit is EventStore.submit: bad input throws synchronously and takes no sequence. */
  submit(inputs: unknown[], field: string, expected?: ExpectedVersions): Promise<AppendResult[]> {
    return this.submitAt(inputs, field, expected, {}, this.metrics.startTimer())
  }

  /**
   * appendInternal stores an event the store writes about itself (an SLA transition): the
   * admission lets its degradation, recovery and emergency types through in EMERGENCY and
   * RECOVERING, never past a disk block.
   */
  appendInternal(input: EventInput): Promise<AppendResult[]> {
    return this.submitAt([input], 'event', undefined, { internal: true }, this.metrics.startTimer())
  }

  private async appendChecked(
    inputs: unknown,
    field: 'event' | 'events',
    options: AppendOptions,
    startedAt: number,
  ): Promise<AppendResult[]> {
    let checked: unknown[]
    let expected: ExpectedVersions | undefined
    try {
      checked = field === 'events' ? batchInputs(inputs) : [inputs]
      expected = validateExpectedVersions(options.expected_versions)
      if (expected) await this.versions.prepare(Object.keys(expected))
    } catch (error) {
      this.metrics.appendFailed(error)
      throw error
    }
    return this.submitAt(checked, field, expected, { admin: options.admin === true }, startedAt)
  }

  /** submitAt counts an append refused at once; enqueue counts how a queued one ends. */
  private submitAt(
    inputs: unknown[],
    field: string,
    expected: ExpectedVersions | undefined,
    admit: AdmitOptions,
    startedAt: number,
  ): Promise<AppendResult[]> {
    try {
      return this.enqueue(inputs, field, expected, admit, startedAt)
    } catch (error) {
      this.metrics.appendFailed(error)
      throw error
    }
  }

  /**
   * enqueue validates, numbers and queues events as one atomic entry, and resolves with
   * their results once they are durable. Bad input throws here, synchronously, and takes
   * no sequence, and neither does a refusal by the admission (SLA level or disk block),
   * which is checked once the event types are known. Expected versions must have been
   * prepared (append does that).
   */
  private enqueue(
    inputs: unknown[],
    field: string,
    expected: ExpectedVersions | undefined,
    admit: AdmitOptions,
    startedAt: number,
  ): Promise<AppendResult[]> {
    const log = this.writableLog()
    // The single-event entry points name their input 'event'; everything else is a batch.
    const series = field === 'event' ? 'append' : 'batch_append'
    const keys = idempotencyKeys(inputs, field)
    const original = this.idempotency.find(keys)
    if (original) {
      return original.then((results) => {
        this.metrics.appendReplayed(series, startedAt)
        return results
      }, this.countFailure)
    }
    if (expected) this.versions.check(expected)
    const results: AppendResult[] = []
    const records: Buffer[] = []
    const aggregates: string[] = []
    const eventTypes: string[] = []
    let bytes = 0
    const first = log.next
    for (let i = 0; i < inputs.length; i++) {
      const sequence = first + i
      const { ns, ms } = this.clock.next()
      const eventId = formatEventId(ns, sequence, this.state.ctx.nodeId)
      const name = field === 'event' ? '' : `${field}[${i}]`
      const event = buildEvent(inputs[i], { sequence, eventId, appendedAtMs: ms }, name)
      const payload = encodeEvent(event, name)
      const header = {
        sequence,
        batchIndex: i,
        batchCount: inputs.length,
        payloadLength: payload.length,
      }
      const record = encodeRecord(header, payload)
      records.push(record)
      this.indexedFields.set(record, event)
      aggregates.push(event.aggregate_id)
      eventTypes.push(event.event_type)
      bytes += payload.length
      results.push({ sequence, event_id: eventId })
    }
    if (bytes > BATCH_BYTES_MAX) {
      const detail = `encodes to ${bytes} bytes, over the limit of ${BATCH_BYTES_MAX} (BATCH_BYTES_MAX)`
      throw new ValidationError(field, detail, 'batch_too_large')
    }
    const block = this.admission(eventTypes, admit)
    if (block) throw new StoreError(block.code, block.message)
    // Refused before the keys and versions below are remembered: a retry must find nothing.
    const full = log.overload(records)
    if (full) throw full
    const durable = log.submit(records)
    this.versions.submitted(aggregates)
    this.idempotency.remember(keys, results, durable)
    return durable.then(() => {
      this.metrics.appendAcknowledged(series, startedAt, eventTypes)
      return results
    }, this.countFailure)
  }

  /** countFailure counts an append whose queued entry failed, and passes the error on. */
  private readonly countFailure = (error: unknown): never => {
    this.metrics.appendFailed(error)
    throw error
  }

  private writableLog(): AppendLog {
    const { state } = this
    if (state.closed) throw new StoreError('store_closed', 'The store is closed.')
    if (this.log && state.mode === 'writable') return this.log
    const code =
      state.mode === 'failed'
        ? 'store_failed'
        : state.mode === 'needs_recovery'
          ? 'needs_recovery'
          : 'read_only'
    const why = state.reason ? ` (${state.reason})` : ''
    throw new StoreError(
      code,
      `The store is ${state.mode.replace('_', ' ')} and refuses appends${why}.`,
    )
  }

  /** loadIdempotency restores the window a clean close saved, or the open read back. */
  loadIdempotency(saved: Parameters<IdempotencyWindow['load']>[0]): void {
    this.idempotency.load(saved)
  }

  /** close drains the log and, when the store is still writable, marks a clean shutdown. */
  async close(): Promise<void> {
    if (!this.log) return
    await this.log.close()
    await this.upkeep.idle()
    if (this.state.mode !== 'writable') return
    const { fs, dir, nodeId } = this.state.ctx
    await writeCleanMarker(
      fs,
      dir,
      this.log.segment,
      this.state.segments.at(-1)!,
      this.clock.last,
      nodeId,
      this.idempotency.snapshot(),
    )
  }

  private durable(segment: ActiveSegment, records: readonly Buffer[]): void {
    this.state.updateActive(segment)
    const groupFirst = segment.firstSequence + segment.records - records.length
    const { segmentNumber, firstSequence, size } = segment
    this.reads.active.addGroup(
      segmentNumber,
      firstSequence,
      groupFirst,
      records,
      size,
      (record) => {
        const fields = this.indexedFields.get(record)
        return fields ?? readIndexedFields(recordPayload(record))
      },
    )
    this.state.notifyCount(records.length)
    if (this.state.appendListeners.size === 0) return
    this.state.notify(records.map((record) => decodeEvent(recordPayload(record))))
  }

  private rotated(previous: ActiveSegment, next: ActiveSegment): void {
    this.state.updateActive(previous)
    this.state.addActive(next)
    this.upkeep.scheduleSeal(previous.segmentNumber)
  }
}

/** batchInputs checks that a batch is a list of 1..BATCH_EVENTS_MAX events. */
function batchInputs(inputs: unknown): unknown[] {
  if (!Array.isArray(inputs) || inputs.length === 0) {
    throw new ValidationError('events', 'must be a non-empty list of events')
  }
  if (inputs.length > BATCH_EVENTS_MAX) {
    const detail = `has ${inputs.length} events, over the limit of ${BATCH_EVENTS_MAX} (BATCH_EVENTS_MAX)`
    throw new ValidationError('events', detail, 'batch_too_large')
  }
  return inputs
}
