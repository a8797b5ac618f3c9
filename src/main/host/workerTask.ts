import { parentPort, Worker, workerData } from 'node:worker_threads'
import type { ErrorCode } from '../../shared/errorCodes'
import { StoreError } from '../engine/errors'

/**
 * A worker task is one piece of the host's long work (recovery, index rebuilds) run on its
 * own thread, so that reading every record of a store never holds up the thread that
 * serves the UI. The worker posts any number of progress messages and then exactly one
 * answer; an error keeps its StoreError code across the thread boundary.
 */
export type WorkerTaskMessage<Result, Progress> =
  | { kind: 'progress'; progress: Progress }
  | { kind: 'done'; result: Result }
  | { kind: 'failed'; code: ErrorCode | null; message: string }

/**
 * runWorkerTask starts the worker at `workerPath` with `data` and resolves with its answer,
 * passing each progress message to `onProgress`. `what` names the task in errors. A worker
 * that dies without an answer is an `internal` error.
 */
export function runWorkerTask<Result, Progress = never>(
  what: string,
  workerPath: string,
  data: unknown,
  onProgress: (progress: Progress) => void = () => undefined,
): Promise<Result> {
  return new Promise((resolve, reject) => {
    let answered = false
    const worker = new Worker(workerPath, { workerData: data })
    worker.on('message', (message: WorkerTaskMessage<Result, Progress>) => {
      if (message.kind === 'progress') return onProgress(message.progress)
      answered = true
      if (message.kind === 'done') resolve(message.result)
      else if (message.code !== null) reject(new StoreError(message.code, message.message))
      else reject(new Error(`${what} failed: ${message.message}`))
    })
    worker.on('error', reject)
    worker.on('exit', (code) => {
      if (!answered)
        reject(
          new StoreError(
            'internal',
            `The ${what} worker stopped without an answer (exit code ${code}).`,
          ),
        )
    })
  })
}

/**
 * answerWorkerTask is a worker entry's whole body: it runs `task` on the worker's data and
 * posts its progress and its answer (or its error, with the code) to the host.
 */
export function answerWorkerTask<Data, Result, Progress = never>(
  task: (data: Data, progress: (progress: Progress) => void) => Promise<Result>,
): void {
  const post = (message: WorkerTaskMessage<Result, Progress>): void =>
    parentPort!.postMessage(message)
  task(workerData as Data, (progress) => post({ kind: 'progress', progress })).then(
    (result) => post({ kind: 'done', result }),
    (error: unknown) =>
      post({
        kind: 'failed',
        code: error instanceof StoreError ? error.code : null,
        message: error instanceof Error ? error.message : String(error),
      }),
  )
}
