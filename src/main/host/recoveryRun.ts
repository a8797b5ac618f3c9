import { Worker } from 'node:worker_threads'
import type { ErrorCode } from '../../shared/errorCodes'
import type { RecoveryReport } from '../../shared/report'
import { StoreError } from '../engine/errors'

/** The built recovery worker's file name in out/main/ (an entry of electron.vite.config.ts). */
export const RECOVER_WORKER_FILE = 'recover-worker.js'

export interface RecoverWorkerData {
  dir: string
}

export type RecoverWorkerMessage =
  | { kind: 'done'; report: RecoveryReport }
  | { kind: 'failed'; code: ErrorCode | null; message: string }

/**
 * recoverInWorker runs EventStore.recover on the store at `dir` in a worker thread and
 * resolves with its report. The store must not be open for writing in this process: the
 * worker takes the writer lock as any other writer would. A worker that dies without an
 * answer is an `internal` error (the store may then need recovery again).
 */
export function recoverInWorker(dir: string, workerPath: string): Promise<RecoveryReport> {
  return new Promise((resolve, reject) => {
    let answered = false
    const worker = new Worker(workerPath, { workerData: { dir } satisfies RecoverWorkerData })
    worker.on('message', (message: RecoverWorkerMessage) => {
      answered = true
      if (message.kind === 'done') resolve(message.report)
      else if (message.code !== null) reject(new StoreError(message.code, message.message))
      else reject(new Error(`recovery failed: ${message.message}`))
    })
    worker.on('error', reject)
    worker.on('exit', (code) => {
      if (!answered)
        reject(
          new StoreError(
            'internal',
            `The recovery worker stopped without an answer (exit code ${code}).`,
          ),
        )
    })
  })
}
