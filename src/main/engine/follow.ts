import type { EventStore } from './eventStore'
import type { DirectoryWatch, WatchDirectory } from './directoryWatcher'
import { watchDirectory } from './directoryWatcher'
import { ValidationError } from './errors'
import {
  FOLLOW_POLL_MS_DEFAULT,
  FOLLOW_POLL_MS_MAX,
  FOLLOW_POLL_MS_MIN,
  FOLLOW_REFRESH_GAP_MS,
} from './limits'

/**
 * follow keeps a store opened read-only up to date while another process writes it: it
 * watches the store directory and calls `store.refresh()` on every change, with a polling
 * timer (`pollMs`) as the fallback for changes the watcher misses or cannot see. New events
 * reach the store's onAppend listeners, and so every subscription on the store.
 *
 * Bounded: one refresh runs at a time, requests arriving meanwhile fold into one more, and
 * refreshes are at least FOLLOW_REFRESH_GAP_MS apart. Rotation, sealing and a tail still
 * being written are the refresh's business (see ReaderRefresh). An error stops following:
 * `stopped` resolves with it (and `onError` hears of it); `close()` stops everything.
 */
export interface FollowOptions {
  /** Polling period in ms, FOLLOW_POLL_MS_MIN to FOLLOW_POLL_MS_MAX; default 250. */
  pollMs?: number
  onError?: (error: unknown) => void
  /** How to watch the directory (tests replace it); null turns watching off. */
  watch?: WatchDirectory | null
}

export type FollowEnd = { reason: 'closed' } | { reason: 'error'; error: unknown }

export interface Follower {
  /** The directory is watched (false: polling only). */
  readonly watching: boolean
  /** Refreshes done so far. */
  readonly refreshes: number
  readonly stopped: Promise<FollowEnd>
  /** close stops the watcher and the timer and waits for a refresh in progress. */
  close(): Promise<void>
}

export function follow(store: EventStore, options: FollowOptions = {}): Follower {
  if (store.mode === 'writable' || store.mode === 'failed') {
    throw new ValidationError(
      'store',
      'is open for writing: its own appends reach its listeners already. Follow a store opened with access "read".',
    )
  }
  const pollMs = options.pollMs ?? FOLLOW_POLL_MS_DEFAULT
  if (!Number.isSafeInteger(pollMs) || pollMs < FOLLOW_POLL_MS_MIN || pollMs > FOLLOW_POLL_MS_MAX) {
    throw new ValidationError(
      'pollMs',
      `must be a whole number from ${FOLLOW_POLL_MS_MIN} to ${FOLLOW_POLL_MS_MAX} (FOLLOW_POLL_MS_MIN, FOLLOW_POLL_MS_MAX), got ${String(pollMs)}`,
    )
  }
  return new StoreFollower(store, pollMs, options)
}

class StoreFollower implements Follower {
  private watcher: DirectoryWatch | null
  private readonly timer: NodeJS.Timeout
  private running: Promise<void> | null = null
  private again = false
  private closed = false
  private refreshCount = 0
  readonly stopped: Promise<FollowEnd>
  private resolveStopped: (end: FollowEnd) => void = () => undefined

  constructor(
    private readonly store: EventStore,
    pollMs: number,
    private readonly options: FollowOptions,
  ) {
    this.stopped = new Promise((resolve) => (this.resolveStopped = resolve))
    const watch = options.watch === undefined ? watchDirectory : options.watch
    this.watcher =
      watch?.(
        store.files.dir,
        () => this.request(),
        // A watcher that fails (the directory went away, say) leaves the timer to do the work.
        () => this.stopWatching(),
      ) ?? null
    this.timer = setInterval(() => this.request(), pollMs)
    this.request()
  }

  get watching(): boolean {
    return this.watcher !== null
  }

  get refreshes(): number {
    return this.refreshCount
  }

  async close(): Promise<void> {
    if (!this.closed) this.stop({ reason: 'closed' })
    await this.running
  }

  /** request asks for a refresh: at once when none runs, else one more after it. */
  private request(): void {
    if (this.closed) return
    if (this.running) {
      this.again = true
      return
    }
    this.running = this.refreshWhileAsked().finally(() => (this.running = null))
  }

  private async refreshWhileAsked(): Promise<void> {
    try {
      do {
        this.again = false
        await this.store.refresh()
        this.refreshCount++
        if (this.again) await new Promise((resolve) => setTimeout(resolve, FOLLOW_REFRESH_GAP_MS))
      } while (this.again && !this.closed)
    } catch (error) {
      // After close() the end is already `closed`; the error is still reported.
      if (!this.closed) this.stop({ reason: 'error', error })
      this.options.onError?.(error)
    }
  }

  private stop(end: FollowEnd): void {
    this.closed = true
    clearInterval(this.timer)
    this.stopWatching()
    this.resolveStopped(end)
  }

  private stopWatching(): void {
    this.watcher?.close()
    this.watcher = null
  }
}
