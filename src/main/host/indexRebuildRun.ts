import type { IndexRebuildProgress } from '../../shared/storeApi'
import { runWorkerTask } from './workerTask'

/** The built index worker's file name in out/main/ (an entry of electron.vite.config.ts). */
export const INDEX_WORKER_FILE = 'index-worker.js'

export interface IndexWorkerData {
  dir: string
  /** The sealed segments whose index files are rebuilt, in this order. */
  segmentNumbers: number[]
}

/**
 * rebuildIndexesInWorker rebuilds the index file of each listed sealed segment of the store
 * at `dir` from its log, on a worker thread, reporting after every segment. Each index
 * file appears whole or not at all, so a store that is open meanwhile sees the old index
 * or the new one; its index cache must load the new ones afterwards.
 */
export function rebuildIndexesInWorker(
  data: IndexWorkerData,
  workerPath: string,
  onProgress: (progress: IndexRebuildProgress) => void,
): Promise<IndexRebuildProgress> {
  return runWorkerTask<IndexRebuildProgress, IndexRebuildProgress>(
    'index rebuild',
    workerPath,
    data,
    onProgress,
  )
}
