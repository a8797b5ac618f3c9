import type { SegmentCheck } from './segmentCheck'

/**
 * The messages between a verification job (the coordinator, on the thread that serves the
 * store) and its worker threads. A worker checks one segment at a time, exactly as
 * EventStore.verify would (checkLog or checkSealed, every digest), and sends back the
 * SegmentCheck; the coordinator does the accounting across segments.
 */

/** VerifyWorkerData is what every worker is started with. */
export interface VerifyWorkerData {
  dir: string
  storeIdHex: string
  /** Least time between two progress messages of one worker. */
  progressIntervalMs: number
}

/** VerifyTask is one segment to check. `index` is its place in the job's file list. */
export interface VerifyTask {
  index: number
  segmentNumber: number
  source: 'log' | 'sealed'
  /** The newest raw log may end in a torn tail; anywhere else that shape is corruption. */
  mayHaveTornTail: boolean
}

export interface TaskMessage {
  kind: 'task'
  task: VerifyTask
}

/** WorkerMessage is everything a worker sends: progress within a file, then its outcome. */
export type WorkerMessage =
  | { kind: 'progress'; index: number; bytesRead: number }
  | {
      kind: 'checked'
      index: number
      /** `lastPayload` is dropped (null): verify reports never need it. */
      check: SegmentCheck
      /** Uncompressed bytes that were checked. */
      rawBytes: number
    }
  | { kind: 'failed'; index: number; message: string; code: string | null }

/** VERIFY_WORKER_FILE is the built worker entry, next to the main bundle (out/main/). */
export const VERIFY_WORKER_FILE = 'verify-worker.js'
