import { Worker } from 'node:worker_threads'
import type { ErrorCode } from '../../shared/errorCodes'
import { ERROR_CODES } from '../../shared/errorCodes'
import { assert, StoreError } from './errors'
import type { TaskMessage, VerifyTask, VerifyWorkerData, WorkerMessage } from './verifyProtocol'

/**
 * VerifyWorkerPool runs verification tasks on a fixed number of worker threads. Each worker
 * holds one task at a time and gets the next when it reports the last, so a slow file
 * never leaves the other worker idle. The first failure stops every worker.
 */
export interface VerifyWorkerPool {
  /** Resolves once every task is checked and the workers have exited; rejects on a failure. */
  readonly finished: Promise<void>
  readonly threadIds: number[]
  /** stop terminates every worker now; `finished` then settles as soon as they are gone. */
  stop(): Promise<void>
}

export interface VerifyWorkerPoolOptions {
  workerPath: string
  workerData: VerifyWorkerData
  workerCount: number
  /** Tasks in the order they are handed out. */
  tasks: readonly VerifyTask[]
  onTaskStarted: (task: VerifyTask, threadId: number) => void
  onMessage: (message: WorkerMessage, threadId: number) => void
}

export function startWorkerPool(options: VerifyWorkerPoolOptions): VerifyWorkerPool {
  assert(
    options.workerCount >= 1 && options.workerCount <= options.tasks.length,
    `a pool of ${options.workerCount} workers for ${options.tasks.length} tasks`,
  )
  const pending = [...options.tasks]
  let remaining = pending.length
  let stopping = false
  let resolveFinished!: () => void
  let rejectFinished!: (error: unknown) => void
  const finished = new Promise<void>((resolve, reject) => {
    resolveFinished = resolve
    rejectFinished = reject
  })
  const workers: Worker[] = []

  /** terminate stops every worker and then settles `finished` with the first outcome. */
  let terminating: Promise<void> | null = null
  const terminate = (outcome: { error: unknown } | null): Promise<void> => {
    terminating ??= (async () => {
      stopping = true
      try {
        await Promise.all(workers.map((worker) => worker.terminate()))
      } finally {
        if (outcome) rejectFinished(outcome.error)
        else resolveFinished()
      }
    })()
    return terminating
  }
  const fail = (error: unknown): void => {
    terminate({ error }).catch(rejectFinished)
  }
  const handOut = (worker: Worker): void => {
    const task = pending.shift()
    if (!task) return
    options.onTaskStarted(task, worker.threadId)
    worker.postMessage({ kind: 'task', task } satisfies TaskMessage)
  }

  for (let i = 0; i < options.workerCount; i++) {
    const worker = new Worker(options.workerPath, { workerData: options.workerData })
    const threadId = worker.threadId
    workers.push(worker)
    worker.on('message', (message: WorkerMessage) => {
      if (stopping) return
      if (message.kind === 'failed') {
        fail(workerError(message.message, message.code))
        return
      }
      options.onMessage(message, threadId)
      if (message.kind !== 'checked') return
      remaining--
      if (remaining > 0) {
        handOut(worker)
        return
      }
      terminate(null).catch(rejectFinished)
    })
    worker.on('error', (error) => fail(error))
    worker.on('exit', (code) => {
      if (!stopping)
        fail(new StoreError('internal', `A verification worker stopped (exit code ${code}).`))
    })
    handOut(worker)
  }
  const threadIds = workers.map((worker) => worker.threadId)
  return { finished, threadIds, stop: () => terminate(null) }
}

/** workerError rebuilds an error that crossed the thread boundary, keeping its code. */
function workerError(message: string, code: string | null): Error {
  if (code !== null && (ERROR_CODES as readonly string[]).includes(code)) {
    return new StoreError(code as ErrorCode, message)
  }
  const error = new Error(message) as Error & { code?: string }
  if (code !== null) error.code = code
  return error
}
