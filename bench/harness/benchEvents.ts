import type { EventInput, StoredEvent } from '../../src/shared/event'
import { buildEvent, encodeEvent } from '../../src/main/engine/eventCodec'
import { encodeRecord } from '../../src/main/engine/recordCodec'
import { DemoEvents } from '../../src/main/host/demoEvents'

/** The seed and first event time of every run: all contenders store the same events. */
const SEED = 8
const START_MS = Date.UTC(2025, 0, 1)

/** benchEvents is the first `count` demo events (about 500 encoded bytes each, timestamped). */
export function benchEvents(count: number): EventInput[] {
  return new DemoEvents({ seed: SEED, startMs: START_MS }).take(count)
}

/** benchEventChunks yields the same events as benchEvents, `size` at a time, for big stores. */
export function* benchEventChunks(count: number, size: number): Generator<EventInput[]> {
  const events = new DemoEvents({ seed: SEED, startMs: START_MS })
  for (let done = 0; done < count; done += size) yield events.take(Math.min(size, count - done))
}

/**
 * storedEvent is what a peer stores for an input, built by the engine's own builder (the
 * same validation and defaults), with a sequence and an id assigned the engine's way.
 */
export function storedEvent(input: EventInput, sequence: number): StoredEvent {
  const nowMs = Date.now()
  return buildEvent(input, {
    sequence,
    eventId: `${nowMs}000000_${sequence}_bench`,
    appendedAtMs: nowMs,
  })
}

/** engineRecords encodes events as the engine's records, for the raw write loops. */
export function engineRecords(events: EventInput[]): Buffer[] {
  return events.map((input, i) => {
    const payload = encodeEvent(storedEvent(input, i + 1), '')
    return encodeRecord(
      { sequence: i + 1, batchIndex: 0, batchCount: 1, payloadLength: payload.length },
      payload,
    )
  })
}
