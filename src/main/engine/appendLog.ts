import { writeAndSync, type FileHandle, type FileSystem } from './fileSystem'
import { encodeSegmentHeader, SEGMENT_HEADER_BYTES } from './segmentHeader'
import { segmentLogName } from './segmentNames'
import { StoreError } from './errors'
import type { StoreMetrics } from './metrics/storeMetrics'
import { APPEND_QUEUE_BYTES_MAX, APPEND_QUEUE_EVENTS_MAX, GROUP_COMMIT_BYTES_MAX } from './limits'

/**
 * AppendLog is the single writer of a store. Appends are queued in order with their
 * sequences already assigned; one flush at a time writes every queued record in one durable
 * write (group commit: writeAndSync, a single O_DSYNC write on the real disk), and only then
 * resolves their promises. While a group is on the disk the next one gathers, and it goes to
 * the disk as soon as the one before is durable, before that one's appends are answered.
 *
 * Guarantees: sequences are contiguous (an entry that fails validation never takes one);
 * a batch is written to one segment whole; a write or fsync error is never retried: the
 * log fails, every waiting append is rejected, and the store becomes read-only, because
 * after a failed fsync the kernel may have dropped the dirty pages and a retry that
 * "succeeds" would prove nothing.
 */
export interface ActiveSegment {
  segmentNumber: number
  handle: FileHandle
  /** Bytes known durable: the append position. */
  size: number
  firstSequence: number
  records: number
  createdAtMs: number
}

export interface AppendLogOptions {
  fs: FileSystem
  dir: string
  storeId: Buffer
  nowMs: () => number
  segmentBytesMax: number
  segmentAgeMs: number
  /** Told of each group commit, to time its fdatasync and the appends it acknowledges. */
  metrics: StoreMetrics
  /** Called after records are durable, before their appends are acknowledged. */
  onDurable: (segment: ActiveSegment, records: readonly Buffer[]) => void
  /** Called after a new segment is durable; the previous one can be sealed. */
  onRotated: (previous: ActiveSegment, next: ActiveSegment) => void
  onFailed: (error: StoreError) => void
}

interface Entry {
  records: Buffer[]
  bytes: number
  resolve: () => void
  reject: (error: Error) => void
  /** Written and synced; acknowledged (resolved) once the next group is on its way. */
  durable: boolean
}

export class AppendLog {
  private queue: Entry[] = []
  private queuedEvents = 0
  private queuedBytes = 0
  private flushing: Promise<void> | null = null
  private failure: StoreError | null = null
  /** The last submit's promise; lastAssigned derives a never-failing one when asked. */
  private lastSubmitted: Promise<void> = Promise.resolve()

  constructor(
    private readonly options: AppendLogOptions,
    private active: ActiveSegment,
    private nextSequence: number,
    private segmentNumberMax: number,
  ) {}

  get lastSequence(): number {
    return this.nextSequence - 1
  }

  /** queueDepth is how many events wait for a group commit (the append backlog). */
  get queueDepth(): number {
    return this.queuedEvents
  }

  /** queueBytes is how many record bytes wait for a group commit. */
  get queueBytes(): number {
    return this.queuedBytes
  }

  /** The sequence the next submitted record must carry. */
  get next(): number {
    return this.nextSequence
  }

  /** The last sequence handed out, and a promise that it (and all before it) is durable. */
  get lastAssigned(): { sequence: number; durable: Promise<void> } {
    return { sequence: this.nextSequence - 1, durable: this.lastSubmitted.then(noop, noop) }
  }

  /**
   * submit queues records already encoded with sequences `next`, `next + 1`, … as one
   * atomic entry, and resolves once they are durable. The caller encodes and submits in
   * the same synchronous step, so no other append can take those sequences in between.
   */
  submit(records: Buffer[]): Promise<void> {
    if (this.failure) return Promise.reject(this.failure)
    const full = this.overload(records)
    if (full) return Promise.reject(full)
    const bytes = records.reduce((sum, record) => sum + record.length, 0)
    this.nextSequence += records.length
    this.queuedEvents += records.length
    this.queuedBytes += bytes
    const durable = new Promise<void>((resolve, reject) => {
      this.queue.push({ records, bytes, resolve, reject, durable: false })
      this.flushing ??= this.drain()
    })
    this.lastSubmitted = durable
    return durable
  }

  /**
   * overload is the `overloaded` refusal `records` would get from submit now, or null
   * when the queue has room. The write path asks before it remembers an append's
   * idempotency keys and aggregate versions, so a refused append leaves no trace.
   */
  overload(records: readonly Buffer[]): StoreError | null {
    const bytes = records.reduce((sum, record) => sum + record.length, 0)
    if (this.queuedEvents + records.length > APPEND_QUEUE_EVENTS_MAX) {
      return overloaded(
        `${this.queuedEvents} events are waiting (APPEND_QUEUE_EVENTS_MAX ${APPEND_QUEUE_EVENTS_MAX})`,
      )
    }
    if (this.queuedBytes + bytes > APPEND_QUEUE_BYTES_MAX) {
      return overloaded(
        `${this.queuedBytes} bytes are waiting (APPEND_QUEUE_BYTES_MAX ${APPEND_QUEUE_BYTES_MAX})`,
      )
    }
    return null
  }

  /** drained resolves when everything queued so far is durable (or has failed). */
  async drained(): Promise<void> {
    while (this.flushing) await this.flushing
  }

  /** close waits for queued appends and closes the active segment. */
  async close(): Promise<void> {
    await this.drained()
    await this.active.handle.close()
  }

  get segment(): ActiveSegment {
    return this.active
  }

  private async drain(): Promise<void> {
    let durable: Entry[] = []
    try {
      // Let every append already on its way (callers resuming after the previous flush)
      // join this group, rather than flushing the first one alone.
      await new Promise((resolve) => setImmediate(resolve))
      while (this.queue.length > 0 && !this.failure) {
        // The next group goes to the disk before the last one's appends are acknowledged:
        // answering them keeps the event loop busy a while, and the disk need not wait.
        const committing = this.commit(this.takeGroup())
        acknowledge(durable)
        durable = await committing
      }
    } finally {
      acknowledge(durable)
      this.flushing = null
    }
  }

  private takeGroup(): Entry[] {
    const group: Entry[] = []
    let bytes = 0
    while (this.queue.length > 0) {
      const next = this.queue[0]!
      if (group.length > 0 && bytes + next.bytes > GROUP_COMMIT_BYTES_MAX) break
      group.push(this.queue.shift()!)
      bytes += next.bytes
    }
    return group
  }

  /**
   * commit writes a group, rotating first wherever the next entry would not fit, and returns
   * the entries it made durable (all of them, unless the log failed on the way) for the
   * caller to acknowledge.
   */
  private async commit(group: Entry[]): Promise<Entry[]> {
    let pending: Entry[] = []
    let pendingBytes = 0
    try {
      for (const entry of group) {
        if (this.mustRotate(pendingBytes + entry.bytes, pending.length)) {
          await this.writeDurably(pending, pendingBytes)
          pending = []
          pendingBytes = 0
          await this.rotate()
        }
        pending.push(entry)
        pendingBytes += entry.bytes
      }
      await this.writeDurably(pending, pendingBytes)
    } catch (error) {
      this.fail(
        error,
        group.filter((entry) => !entry.durable),
      )
    }
    return group.filter((entry) => entry.durable)
  }

  private mustRotate(incomingBytes: number, pendingEntries: number): boolean {
    const { active, options } = this
    const hasRecords = active.records > 0 || pendingEntries > 0
    if (!hasRecords) return false
    const full = active.size + incomingBytes > options.segmentBytesMax
    const old = options.nowMs() - active.createdAtMs >= options.segmentAgeMs
    return full || old
  }

  private async writeDurably(entries: Entry[], bytes: number): Promise<void> {
    if (entries.length === 0) return
    const buffers = entries.flatMap((entry) => entry.records)
    // One step, so the disk can write and sync in one call (nodeFileSystem: O_DSYNC); the
    // sync time measured is that step's, the copy to the page cache being a small part.
    const syncStartedAt = this.options.metrics.startTimer()
    await writeAndSync(this.active.handle, buffers, this.active.size)
    this.options.metrics.groupCommitted(syncStartedAt)
    this.active.size += bytes
    this.active.records += buffers.length
    this.queuedEvents -= buffers.length
    this.queuedBytes -= bytes
    this.options.onDurable(this.active, buffers)
    for (const entry of entries) entry.durable = true
  }

  private async rotate(): Promise<void> {
    const { fs, dir, storeId, nowMs } = this.options
    const segmentNumber = ++this.segmentNumberMax
    const firstSequence = this.active.firstSequence + this.active.records
    const createdAtMs = nowMs()
    const header = encodeSegmentHeader({ segmentNumber, firstSequence, createdAtMs, storeId })
    const handle = await fs.create(`${dir}/${segmentLogName(segmentNumber)}`)
    await handle.write([header], 0)
    await handle.datasync()
    await fs.syncDir(dir)
    const previous = this.active
    this.active = {
      segmentNumber,
      handle,
      size: SEGMENT_HEADER_BYTES,
      firstSequence,
      records: 0,
      createdAtMs,
    }
    await previous.handle.close()
    this.options.onRotated(previous, this.active)
  }

  private fail(cause: unknown, unwritten: Entry[]): void {
    const detail = cause instanceof Error ? cause.message : String(cause)
    this.failure = new StoreError(
      'store_failed',
      `The store stopped accepting writes after an I/O error (${detail}). Events acknowledged before it are safe; ` +
        'appends that were waiting were not acknowledged and may or may not be stored. Reopen the store to recover.',
      { cause },
    )
    for (const entry of [...unwritten, ...this.queue]) entry.reject(this.failure)
    this.queue = []
    this.options.onFailed(this.failure)
  }
}

function noop(): void {}

/** acknowledge resolves the appends of durable entries. */
function acknowledge(entries: readonly Entry[]): void {
  for (const entry of entries) entry.resolve()
}

function overloaded(detail: string): StoreError {
  return new StoreError('overloaded', `The store is overloaded: ${detail}. Retry shortly.`)
}
