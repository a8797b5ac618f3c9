import { Unpackr } from 'msgpackr'
import type { StoredEvent } from '../../shared/event'
import { decodeEvent } from './eventCodec'

/**
 * decodeEventBatch decodes many stored events' payloads at once, exactly as `decodeEvent`
 * decodes each (same decoder options; a test holds the two to the same answers).
 *
 * The payloads are copied back to back and read with one `unpackMultiple`: the decoder's
 * native string extraction then crosses into native code once per batch rather than once
 * per event, which makes replay about a quarter faster. Should the batch not decode (a
 * damaged payload), each payload is decoded on its own, so the error is the one
 * `decodeEvent` gives for the payload at fault.
 */
const unpackr = new Unpackr({ useRecords: false, mapsAsObjects: true, int64AsType: 'number' })

export function decodeEventBatch(payloads: readonly Buffer[]): StoredEvent[] {
  if (payloads.length === 1) return [decodeEvent(payloads[0]!)]
  const ends = new Uint32Array(payloads.length)
  let end = 0
  for (let i = 0; i < payloads.length; i++) ends[i] = end += payloads[i]!.length
  return decodePackedEvents(Buffer.concat(payloads, end), ends, 0, payloads.length)
}

/**
 * decodePackedEvents decodes payloads `from` to `to` (exclusive) of `packed`, which holds
 * payloads back to back, the i-th ending at `ends[i]` (a payload worker's CutRun).
 */
export function decodePackedEvents(
  packed: Uint8Array,
  ends: ArrayLike<number>,
  from: number,
  to: number,
): StoredEvent[] {
  const payload = (i: number): Buffer => {
    const start = i === 0 ? 0 : ends[i - 1]!
    return Buffer.from(packed.buffer, packed.byteOffset + start, ends[i]! - start)
  }
  if (to - from <= 1) return to > from ? [decodeEvent(payload(from))] : []
  const start = from === 0 ? 0 : ends[from - 1]!
  const bytes = Buffer.from(packed.buffer, packed.byteOffset + start, ends[to - 1]! - start)
  let decoded: unknown[] | null = null
  try {
    decoded = unpackr.unpackMultiple(bytes) as unknown[]
  } catch {
    // Decoded one by one below, which names the payload at fault.
  }
  if (decoded?.length === to - from) return decoded as StoredEvent[]
  const events: StoredEvent[] = []
  for (let i = from; i < to; i++) events.push(decodeEvent(payload(i)))
  return events
}

/**
 * decodeRecordRun decodes the first `count` payloads of a run whose maps were rewritten as
 * records (recordsFromMaps.ts), which decode only from the first: null if they do not
 * decode to `count` values, for the caller to read them again as stored (which names the
 * payload at fault).
 */
export function decodeRecordRun(
  packed: Uint8Array,
  ends: ArrayLike<number>,
  count: number,
): StoredEvent[] | null {
  if (count === 0) return []
  try {
    const bytes = Buffer.from(packed.buffer, packed.byteOffset, ends[count - 1])
    const decoded = unpackr.unpackMultiple(bytes) as unknown[]
    return decoded.length === count ? (decoded as StoredEvent[]) : null
  } catch {
    return null
  }
}
