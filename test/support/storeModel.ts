import type { AppendResult, JsonValue, StoredEvent } from '../../src/shared/event'
import type { EventStore } from '../../src/main/engine/eventStore'
import { StoreError } from '../../src/main/engine/errors'

/**
 * StoreModel is the reference the engine is checked against: a list of the events a client
 * may count on, plus the appends whose outcome it cannot know yet.
 *
 * Every append goes through `submit`, in the order the store receives it, and ends in one
 * of three states. Acknowledged: the store said it is durable, so it must be there after
 * any crash, with the sequence and id it was given. Refused: the store rejected the input
 * (validation, overload, or a store that was already not writable), so it is never stored
 * and takes no sequence. Unknown: still in flight at a crash, or failed by an I/O error;
 * the bytes may or may not have reached the disk, so after a restart it may be there or
 * not, but only whole and only as part of a prefix of what was submitted.
 *
 * `checkStore` compares a store with the model and then settles every unknown append to
 * what the store holds, so the model is exact again for the next round.
 */
export interface ModelInput {
  event_type: string
  aggregate_id: string
  data: { key: number; [name: string]: JsonValue }
}

/** ModelEvent is the part of a stored event the model checks. */
export interface ModelEvent {
  sequence: number
  event_id: string
  event_type: string
  aggregate_id: string
  data: { [name: string]: JsonValue }
}

export type Outcome = 'acknowledged' | 'refused' | 'unknown'

/** Settled is how one append ended, as its caller saw it. */
export interface Settled {
  outcome: Outcome
  results: AppendResult[] | null
  /** The rejection, when there was one. */
  error: unknown
}

interface Submission {
  inputs: readonly unknown[]
  outcome: Outcome | 'in_flight'
  results: AppendResult[] | null
  error: unknown
}

/** Error codes that mean the store refused an append before taking a sequence for it. */
const REFUSAL_CODES: ReadonlySet<string> = new Set([
  'validation',
  'event_too_large',
  'batch_too_large',
  'overloaded',
  'store_closed',
  'read_only',
  'needs_recovery',
])

const EVENT_TYPES = ['agent_heartbeat', 'command_received', 'shadow_updated', 'system_started']

export class StoreModel {
  /** Events known to be stored, in sequence order, as of the last check. */
  private stored: ModelEvent[] = []
  /** Appends submitted since the last check, in the order the store received them. */
  private submissions: Submission[] = []
  private nextKey = 1

  /** clone copies the model, so one history can be checked against several stores. */
  clone(): StoreModel {
    const copy = new StoreModel()
    copy.stored = [...this.stored]
    copy.submissions = this.submissions.map((submission) => ({ ...submission }))
    copy.nextKey = this.nextKey
    return copy
  }

  /** input makes a valid event whose `data.key` is unique, so it can be told apart later. */
  input(payloadChars = 0): ModelInput {
    const key = this.nextKey++
    const data: ModelInput['data'] = { key }
    if (payloadChars > 0) data.text = 'x'.repeat(payloadChars)
    return {
      event_type: EVENT_TYPES[key % EVENT_TYPES.length]!,
      aggregate_id: `aggregate-${key % 7}`,
      data,
    }
  }

  /** The events every later check requires, in sequence order. */
  get acknowledged(): readonly ModelEvent[] {
    const events = [...this.stored]
    for (const submission of this.submissions) {
      if (submission.outcome === 'acknowledged') events.push(...eventsOf(submission))
    }
    return events
  }

  /** How many appends have no known outcome (in flight or failed by an I/O error). */
  get unknownCount(): number {
    return this.submissions.filter((s) => s.outcome === 'unknown' || s.outcome === 'in_flight')
      .length
  }

  /**
   * submit records an append of `inputs` and runs it. `run` must hand the events to the
   * store synchronously (EventStore.append, appendBatch and submit all do), so the order of
   * `submit` calls is the order in which the store numbers them. Resolves to how the append
   * ended; rejects only if the store acknowledges a different number of events than given.
   */
  submit(
    inputs: readonly unknown[],
    run: (inputs: readonly unknown[]) => Promise<AppendResult[]>,
  ): Promise<Settled> {
    const submission: Submission = { inputs, outcome: 'in_flight', results: null, error: null }
    this.submissions.push(submission)
    const acknowledged = (results: AppendResult[]): Settled => {
      if (results.length !== inputs.length) {
        throw new Error(`${inputs.length} events appended, ${results.length} acknowledged`)
      }
      submission.results = results
      submission.outcome = 'acknowledged'
      return { outcome: submission.outcome, results, error: null }
    }
    const rejected = (error: unknown): Settled => {
      submission.error = error
      const refused = error instanceof StoreError && REFUSAL_CODES.has(error.code)
      submission.outcome = refused ? 'refused' : 'unknown'
      return { outcome: submission.outcome, results: null, error }
    }
    try {
      return run(inputs).then(acknowledged, rejected)
    } catch (error) {
      return Promise.resolve(rejected(error))
    }
  }

  /** append submits one event with EventStore.append. */
  append(store: EventStore, input: unknown = this.input()): Promise<Settled> {
    return this.submit([input], async ([event]) => [await store.append(event)])
  }

  /** appendBatch submits events as one atomic batch with EventStore.appendBatch. */
  appendBatch(store: EventStore, inputs: readonly unknown[]): Promise<Settled> {
    return this.submit(inputs, (events) => store.appendBatch([...events]))
  }

  /**
   * checkStore reads the whole store and throws, with a sentence that says where, unless:
   * sequences run from 1 without a gap; event ids name their sequence and increase; every event stored at the last check and every
   * acknowledged event since is there, identical, under the sequence and id it was given;
   * and anything else is an append whose outcome was unknown, present whole, with every
   * append submitted before it present too. Refused appends are never there. On success the
   * unknown appends are settled to what the store holds. Returns how many were kept.
   * Call it only when no append is in flight on `store` (after a restart, or once every
   * `submit` has settled), since an append still in flight would be settled as absent.
   */
  async checkStore(store: EventStore): Promise<{ events: number; unknownKept: number }> {
    const actual: StoredEvent[] = []
    await store.readAll((event) => actual.push(event))
    checkSequencesAndIds(actual)
    this.stored.forEach((expected, index) => {
      compare(actual[index], expected, 'stored before the last check')
    })
    let at = this.stored.length
    let unknownKept = 0
    let missingUnknown: number | null = null
    this.submissions.forEach((submission, index) => {
      if (submission.outcome === 'refused') return
      const present = at < actual.length && matchesInputs(actual, at, submission.inputs)
      if (submission.outcome === 'acknowledged') {
        const what = `acknowledged in append #${index + 1}`
        if (missingUnknown !== null) {
          throw new Error(
            `append #${missingUnknown + 1} (outcome unknown) is missing, yet append #${index + 1} after it was acknowledged`,
          )
        }
        for (const expected of eventsOf(submission)) compare(actual[at++], expected, what)
        return
      }
      if (present && missingUnknown !== null) {
        throw new Error(
          `append #${index + 1} is stored, but append #${missingUnknown + 1} before it is not: ` +
            'the log must be a prefix of what was submitted',
        )
      }
      if (!present) {
        missingUnknown ??= index
        return
      }
      at += submission.inputs.length
      unknownKept += 1
    })
    if (at !== actual.length) {
      const extra = actual[at]!
      throw new Error(
        `${actual.length - at} events are stored that no append explains, from sequence ${extra.sequence} ` +
          `(data ${JSON.stringify(extra.data)})`,
      )
    }
    this.stored = actual.map(toModelEvent)
    this.submissions = []
    return { events: actual.length, unknownKept }
  }
}

/**
 * checkSequencesAndIds checks what holds for any store, model aside: sequences run from 1
 * without a gap, and each event id names its sequence and carries an append clock reading
 * greater than the one before, across restarts too (even when the wall clock stepped back).
 */
function checkSequencesAndIds(events: StoredEvent[]): void {
  let previousNs = -1n
  events.forEach((event, index) => {
    if (event.sequence !== index + 1) {
      throw new Error(`event ${index + 1} in read order has sequence ${event.sequence}`)
    }
    const id = /^(\d{1,20})_(\d+)_/.exec(event.event_id)
    if (!id || Number(id[2]) !== event.sequence) {
      throw new Error(`sequence ${event.sequence} has the event id ${event.event_id}`)
    }
    const ns = BigInt(id[1]!)
    if (ns <= previousNs) {
      throw new Error(
        `sequence ${event.sequence} has the event id ${event.event_id}, whose clock does not increase on the event before`,
      )
    }
    previousNs = ns
  })
}

function eventsOf(submission: Submission): ModelEvent[] {
  return submission.inputs.map((input, index) => {
    const result = submission.results![index]!
    const { event_type, aggregate_id, data } = input as ModelInput
    return { sequence: result.sequence, event_id: result.event_id, event_type, aggregate_id, data }
  })
}

function toModelEvent(event: StoredEvent): ModelEvent {
  const { sequence, event_id, event_type, aggregate_id, data } = event
  return { sequence, event_id, event_type, aggregate_id, data }
}

/** matchesInputs tells whether the events from `at` on are `inputs`, whole and in order. */
function matchesInputs(actual: StoredEvent[], at: number, inputs: readonly unknown[]): boolean {
  return inputs.every((input, offset) => {
    const event = actual[at + offset]
    const { event_type, aggregate_id, data } = input as ModelInput
    return (
      event !== undefined &&
      event.event_type === event_type &&
      event.aggregate_id === aggregate_id &&
      sameJson(event.data, data)
    )
  })
}

function compare(actual: StoredEvent | undefined, expected: ModelEvent, what: string): void {
  const where = `sequence ${expected.sequence} (${what})`
  if (!actual) throw new Error(`${where} is missing: the store ends before it`)
  const found = toModelEvent(actual)
  if (!sameJson(found, expected)) {
    throw new Error(
      `${where} differs: expected ${JSON.stringify(expected)}, found ${JSON.stringify(found)}`,
    )
  }
}

/** sameJson compares JSON values; object key order does not matter. */
function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false
  if (Array.isArray(a) !== Array.isArray(b)) return false
  const aKeys = Object.keys(a)
  const bKeys = Object.keys(b)
  if (aKeys.length !== bKeys.length) return false
  const bRecord = b as Record<string, unknown>
  return aKeys.every(
    (key) => key in bRecord && sameJson((a as Record<string, unknown>)[key], bRecord[key]),
  )
}
