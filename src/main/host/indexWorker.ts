import type { IndexRebuildProgress } from '../../shared/storeApi'
import { decodeManifest } from '../engine/manifest'
import { nodeFileSystem } from '../engine/nodeFileSystem'
import { rebuildSegmentIndex } from '../engine/segmentIndexBuilder'
import { manifestName, sealedName } from '../engine/segmentNames'
import type { IndexWorkerData } from './indexRebuildRun'
import { answerWorkerTask } from './workerTask'

/**
 * The index worker: rebuilds sealed segments' index files from their logs on its own
 * thread (inflating and decoding every record), posting progress after each segment. A
 * segment whose manifest is unreadable or whose gzip file differs from it gets no index:
 * that damage is for verification and recovery to report, and queries scan the segment.
 */
answerWorkerTask<IndexWorkerData, IndexRebuildProgress, IndexRebuildProgress>(
  async ({ dir, segmentNumbers }, progress) => {
    const state: IndexRebuildProgress = {
      segments_total: segmentNumbers.length,
      segments_done: 0,
      skipped: [],
    }
    for (const segmentNumber of segmentNumbers) {
      const bytes = await nodeFileSystem.readFile(`${dir}/${manifestName(segmentNumber)}`)
      const manifest = decodeManifest(bytes)
      const built =
        typeof manifest === 'string'
          ? `manifest: ${manifest}`
          : await rebuildSegmentIndex(nodeFileSystem, dir, manifest)
      if (typeof built === 'string') {
        state.skipped.push({ name: sealedName(segmentNumber), reason: built })
      }
      state.segments_done++
      progress({ ...state, skipped: [...state.skipped] })
    }
    return state
  },
)
