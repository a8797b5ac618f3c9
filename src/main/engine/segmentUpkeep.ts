import type { SegmentManifest } from './manifest'
import type { SegmentIndexes } from './indexCache'
import type { StoreState } from './storeState'
import { indexName } from './segmentIndex'
import { rebuildSegmentIndex } from './segmentIndexBuilder'
import { sealSegment } from './sealer'
import { segmentLogName } from './segmentNames'
import { CorruptionError } from './errors'

/**
 * SegmentUpkeep is a writer's background work on finished segments: sealing (gzip) and
 * rebuilding missing or damaged indexes. It runs one job at a time, off the append path,
 * so it never competes with a group commit for more than one file. A failure leaves the
 * raw segment in place (it is still read as is) and is shown as the store's reason.
 */
export class SegmentUpkeep {
  private chain: Promise<void> = Promise.resolve()

  constructor(
    private readonly state: StoreState,
    private readonly indexes: SegmentIndexes,
  ) {}

  /** idle resolves when every job scheduled so far has finished. */
  idle(): Promise<void> {
    return this.chain
  }

  /** scheduleIndexRebuild rebuilds the index of each sealed segment whose index was unusable. */
  scheduleIndexRebuild(manifests: readonly SegmentManifest[]): void {
    const { fs, dir } = this.state.ctx
    for (const manifest of manifests) {
      this.chain = this.chain.then(async () => {
        if (this.state.closed) return
        try {
          const built = await rebuildSegmentIndex(fs, dir, manifest)
          if (typeof built !== 'string') await this.indexes.load(manifest.segment_number, manifest)
        } catch (error) {
          // Derived data: the segment is scanned until a later open rebuilds its index.
          this.state.reason = `rebuilding ${indexName(manifest.segment_number)} failed: ${(error as Error).message}`
        }
      })
    }
  }

  /** scheduleSeal compresses a finished raw segment and loads its new index. */
  scheduleSeal(segmentNumber: number): void {
    const { fs, dir, storeId, nowMs } = this.state.ctx
    this.chain = this.chain.then(async () => {
      try {
        const manifest = await sealSegment(fs, dir, segmentNumber, storeId, nowMs)
        await this.indexes.load(segmentNumber, manifest)
        this.state.sealed(segmentNumber, manifest)
      } catch (error) {
        // The raw segment is still there and intact unless the error says otherwise.
        if (error instanceof CorruptionError) this.state.setMode('needs_recovery', error.message)
        else
          this.state.reason = `sealing ${segmentLogName(segmentNumber)} failed: ${(error as Error).message}`
      }
    })
  }
}
