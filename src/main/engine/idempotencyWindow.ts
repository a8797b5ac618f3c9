import type { AppendResult } from '../../shared/event'
import { StoreError, ValidationError } from './errors'
import { IDEMPOTENCY_KEYS_MAX, IDEMPOTENCY_WINDOW_MS } from './limits'

/** RememberedKey is one window entry as saved in the clean-shutdown marker. */
export type RememberedKey = [key: string, sequence: number, eventId: string, atMs: number]

interface Remembered {
  result: AppendResult
  /** Resolves when the original append is durable; rejects if it failed. */
  durable: Promise<void>
  atMs: number
}

/**
 * IdempotencyWindow remembers the idempotency keys of the most recent appends (at most
 * IDEMPOTENCY_KEYS_MAX, none older than IDEMPOTENCY_WINDOW_MS), so that retrying an append
 * after a timeout, a 429 or a 503 returns the original sequence and event_id instead of
 * storing the event twice. A key is remembered the moment its append takes a sequence, so a
 * concurrent retry waits for the original. The window is rebuilt from the log on open.
 */
export class IdempotencyWindow {
  private readonly keys = new Map<string, Remembered>()

  constructor(private readonly nowMs: () => number) {}

  /**
   * find returns the original results when every key of an append is known, null when
   * none is; an append that mixes known and new keys is refused, since storing part of it
   * would break its atomicity.
   */
  find(keys: readonly (string | undefined)[]): Promise<AppendResult[]> | null {
    this.evict()
    const known = keys.map((key) => (key === undefined ? undefined : this.keys.get(key)))
    if (known.every((entry) => entry === undefined)) return null
    if (known.some((entry) => entry === undefined)) {
      throw new StoreError(
        'idempotency_conflict',
        'Some events of this batch were stored before under the same idempotency keys and some were not; retry the original batch unchanged.',
      )
    }
    const entries = known as Remembered[]
    return Promise.all(entries.map((entry) => entry.durable)).then(() =>
      entries.map((entry) => entry.result),
    )
  }

  /** remember records the keys of an append that just took its sequences. */
  remember(
    keys: readonly (string | undefined)[],
    results: readonly AppendResult[],
    durable: Promise<void>,
  ): void {
    const atMs = this.nowMs()
    keys.forEach((key, i) => {
      if (key !== undefined) this.keys.set(key, { result: results[i]!, durable, atMs })
    })
    this.evict()
  }

  /** snapshot lists the window, oldest first, for the clean-shutdown marker. */
  snapshot(): RememberedKey[] {
    this.evict()
    return [...this.keys].map(([key, { result, atMs }]) => [
      key,
      result.sequence,
      result.event_id,
      atMs,
    ])
  }

  /** load restores a window saved by snapshot(). */
  load(entries: readonly RememberedKey[]): void {
    for (const [key, sequence, eventId, atMs] of entries) {
      this.keys.set(key, {
        result: { sequence, event_id: eventId },
        durable: Promise.resolve(),
        atMs,
      })
    }
    this.evict()
  }

  get size(): number {
    return this.keys.size
  }

  private evict(): void {
    const oldest = this.nowMs() - IDEMPOTENCY_WINDOW_MS
    for (const [key, entry] of this.keys) {
      if (this.keys.size <= IDEMPOTENCY_KEYS_MAX && entry.atMs >= oldest) return
      this.keys.delete(key)
    }
  }
}

/** idempotencyKeys reads each input's key; two events of one append may not share one. */
export function idempotencyKeys(inputs: readonly unknown[], field: string): (string | undefined)[] {
  const keys = inputs.map((input) => {
    const key =
      typeof input === 'object' && input !== null
        ? (input as { idempotency_key?: unknown }).idempotency_key
        : undefined
    return typeof key === 'string' ? key : undefined
  })
  const seen = new Set<string>()
  keys.forEach((key, i) => {
    if (key === undefined) return
    if (seen.has(key))
      throw new ValidationError(
        `${field}[${i}].idempotency_key`,
        'repeats a key used earlier in the same batch',
      )
    seen.add(key)
  })
  return keys
}
