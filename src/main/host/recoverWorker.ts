import { parentPort, workerData } from 'node:worker_threads'
import { EventStore } from '../engine/eventStore'
import { StoreError } from '../engine/errors'
import type { RecoverWorkerData, RecoverWorkerMessage } from './recoveryRun'

/**
 * The recovery worker: runs EventStore.recover on its own thread, so the deep read of
 * every record (digests, inflating sealed segments) never holds up the thread that serves
 * the UI, and posts back the report or the error with its code.
 */
const { dir } = workerData as RecoverWorkerData

EventStore.recover(dir).then(
  (report) => post({ kind: 'done', report }),
  (error: unknown) =>
    post({
      kind: 'failed',
      code: error instanceof StoreError ? error.code : null,
      message: error instanceof Error ? error.message : String(error),
    }),
)

function post(message: RecoverWorkerMessage): void {
  parentPort!.postMessage(message)
}
