import { NODE_ID_PATTERN } from './limits'
import { ValidationError } from './errors'

/**
 * Event ids are `{timestamp_ns}_{sequence}_{node_id}`. The timestamp is the store's append
 * clock in nanoseconds and is strictly increasing: when the wall clock steps back, or two
 * events share a millisecond, the next id takes the previous timestamp plus one. Node ids
 * may contain `_`, so ids are parsed from the left.
 */
export function formatEventId(timestampNs: bigint, sequence: number, nodeId: string): string {
  return `${timestampNs}_${sequence}_${nodeId}`
}

export interface ParsedEventId {
  timestampNs: bigint
  sequence: number
  nodeId: string
}

export function parseEventId(eventId: string): ParsedEventId | null {
  const first = eventId.indexOf('_')
  const second = first < 0 ? -1 : eventId.indexOf('_', first + 1)
  if (second < 0) return null
  const timestamp = eventId.slice(0, first)
  const sequence = eventId.slice(first + 1, second)
  const nodeId = eventId.slice(second + 1)
  if (!/^\d{1,20}$/.test(timestamp) || !/^[1-9]\d{0,15}$/.test(sequence)) return null
  if (!NODE_ID_PATTERN.test(nodeId)) return null
  return { timestampNs: BigInt(timestamp), sequence: Number(sequence), nodeId }
}

const NS_PER_MS = 1_000_000n

/** EventIdClock hands out strictly increasing nanosecond timestamps from a wall clock. */
export class EventIdClock {
  private lastNs: bigint

  constructor(
    private readonly nowMs: () => number,
    lastNs: bigint = 0n,
  ) {
    this.lastNs = lastNs
  }

  /** next returns a timestamp greater than every one returned before, and than `lastNs`. */
  next(): { ns: bigint; ms: number } {
    const ms = this.nowMs()
    const wall = BigInt(Math.floor(ms)) * NS_PER_MS
    this.lastNs = wall > this.lastNs ? wall : this.lastNs + 1n
    return { ns: this.lastNs, ms }
  }

  get last(): bigint {
    return this.lastNs
  }
}

/** defaultNodeId cleans a host name into a valid node id. */
export function defaultNodeId(hostname: string): string {
  const cleaned = hostname.replace(/[^A-Za-z0-9._-]/g, '-').slice(0, 64)
  return cleaned.length > 0 ? cleaned : 'node'
}

export function validateNodeId(nodeId: string): string {
  if (!NODE_ID_PATTERN.test(nodeId)) {
    throw new ValidationError(
      'node_id',
      'must be 1 to 64 characters of letters, digits, ".", "_" or "-"',
    )
  }
  return nodeId
}
