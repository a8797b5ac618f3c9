import type { RecoveryReport } from '../../shared/report'
import { runWorkerTask } from './workerTask'

/** The built recovery worker's file name in out/main/ (an entry of electron.vite.config.ts). */
export const RECOVER_WORKER_FILE = 'recover-worker.js'

export interface RecoverWorkerData {
  dir: string
}

/**
 * recoverInWorker runs EventStore.recover on the store at `dir` in a worker thread and
 * resolves with its report. The store must not be open for writing in this process: the
 * worker takes the writer lock as any other writer would. A worker that dies without an
 * answer is an `internal` error (the store may then need recovery again).
 */
export function recoverInWorker(dir: string, workerPath: string): Promise<RecoveryReport> {
  return runWorkerTask<RecoveryReport>('recovery', workerPath, { dir } satisfies RecoverWorkerData)
}
