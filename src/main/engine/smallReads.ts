import type { FileHandle } from './fileSystem'
import { readRange, readRangeSync } from './fileSystem'
import {
  SMALL_READ_BACKOFF_MS,
  SMALL_READ_BYTES_MAX,
  SMALL_READ_SLOW_COUNT_MAX,
  SMALL_READ_SLOW_MS,
  SMALL_READ_WINDOW,
} from './limits'

/**
 * SmallReads does a get's read (one gzip member of a sealed segment, or one record of the
 * active one) on the calling thread while the disk answers such reads quickly, and through
 * the thread pool otherwise.
 *
 * Why: a sealed file read again and again sits in the page cache, where a 10 KiB read takes
 * tens of microseconds; the trip to libuv's thread pool and back costs more than that, and
 * its tail is worse (measured here: read + gunzip of one member, p50 0.18 / p99 0.78 ms
 * through the pool, 0.05 / 0.12 ms on the thread). But a read that waits for a slow disk
 * blocks everything else on the thread, appends included. So each read on the thread is
 * timed, and SMALL_READ_SLOW_COUNT_MAX slower than SMALL_READ_SLOW_MS among the last
 * SMALL_READ_WINDOW send point reads to the pool for SMALL_READ_BACKOFF_MS. One slow read
 * alone (a preempted VM, a first touch of a file) does not: a disk that is slow for every
 * read blocks the thread for at most that many reads per backoff. Reads over
 * SMALL_READ_BYTES_MAX, and handles that cannot read synchronously, always use the pool.
 */
export class SmallReads {
  /** Until when (by `now`) reads go to the thread pool. */
  private poolUntil = Number.NEGATIVE_INFINITY
  /** When each of the last slow reads on the thread happened, counted in reads. */
  private readonly slowAt: number[] = []
  private readsOnThread = 0

  constructor(private readonly now: () => number = () => performance.now()) {}

  /** Whether the next small read will be done on the calling thread. */
  get onThread(): boolean {
    return this.now() >= this.poolUntil
  }

  /** read reads `length` bytes at `position`, or fewer where the file ends sooner. */
  async read(handle: FileHandle, position: number, length: number): Promise<Buffer> {
    const readSync = handle.readSync?.bind(handle)
    if (!readSync || length > SMALL_READ_BYTES_MAX || !this.onThread) {
      return readRange(handle, position, length)
    }
    const startedAt = this.now()
    try {
      return readRangeSync(readSync, position, length)
    } finally {
      this.timed(startedAt, this.now())
    }
  }

  private timed(startedAt: number, finishedAt: number): void {
    const read = ++this.readsOnThread
    while (this.slowAt.length > 0 && this.slowAt[0]! <= read - SMALL_READ_WINDOW) {
      this.slowAt.shift()
    }
    if (finishedAt - startedAt <= SMALL_READ_SLOW_MS) return
    this.slowAt.push(read)
    if (this.slowAt.length < SMALL_READ_SLOW_COUNT_MAX) return
    this.slowAt.length = 0
    this.poolUntil = finishedAt + SMALL_READ_BACKOFF_MS
  }
}

/**
 * The reads of this thread, whichever store they are for: what a slow read blocks is the
 * thread, so one count of slow reads and one backoff cover them all (each worker thread
 * loads its own copy of this module, and has its own).
 */
export const threadSmallReads = new SmallReads()
