import type { StoredEvent } from '../../shared/event'
import type { StoreReads } from './storeReads'
import type { StoreState } from './storeState'
import { inGroups, ReaderRefresh } from './readerRefresh'

/**
 * StoreRefresh is how a reader keeps up with the writer process: each refresh reads only
 * what changed since the last (see ReaderRefresh), updates the segment list before any
 * listener hears of the new events (as the append path does), and hands the new events to
 * the listeners in bounded groups. Refreshes run one at a time, in the order asked.
 */
export class StoreRefresh {
  /** Refreshes waiting or running, in order. */
  private queue: Promise<unknown> = Promise.resolve()
  /** What the last refresh saw, so the next one reads only what is new. */
  private view: ReaderRefresh | null = null

  constructor(
    private readonly state: StoreState,
    private readonly reads: StoreReads,
  ) {}

  /** refresh resolves with how many new events it found. */
  refresh(): Promise<number> {
    // A follower's file watcher and its timer may both ask for one. A failure reaches this
    // caller through `run`; the queue only keeps the order.
    const run = this.queue.then(() => this.refreshOnce())
    this.queue = run.catch(() => undefined)
    return run
  }

  private async refreshOnce(): Promise<number> {
    const { state } = this
    const before = state.lastSequence
    this.view ??= new ReaderRefresh(state.ctx.fs, state.ctx.dir, state.ctx.storeId)
    const { analysis, newest } = await this.view.refresh()
    if (analysis) {
      state.replace(analysis)
      // Segments appeared, were sealed, cut or replaced: the active index starts again.
      this.reads.active.invalidate()
    }
    const info = newest && state.segments.find((s) => s.segmentNumber === newest.segmentNumber)
    if (info && newest.lastSequence !== null) {
      info.records = newest.records
      info.lastSequence = newest.lastSequence
      info.bytes = newest.bytes
      info.rawBytes = newest.validEnd
    }
    const found = Math.max(0, state.lastSequence - before)
    if (found > 0) state.notifyCount(found)
    if (found > 0 && state.appendListeners.size > 0) {
      // In bounded groups, so a reader that fell far behind never holds them all at once.
      const groups = inGroups((events) => state.notify(events))
      const add = (event: StoredEvent): void => groups.add(event)
      if (!(await this.view.readNewEvents(before + 1, add)))
        await this.reads.readAll(add, before + 1)
      groups.flush()
    }
    return found
  }
}
