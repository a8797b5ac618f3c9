import { Worker } from 'node:worker_threads'
import { builtWorkerPath } from './builtWorkerPath'
import type { CutJob, CutReply, CutRequest, CutRun } from './payloadCut'
import { cutPayloads, PAYLOAD_PROTOCOL } from './payloadCut'
import { PAYLOAD_WORKER_IDLE_MS, PAYLOAD_WORKER_MIN_BYTES, PAYLOAD_WORKER_RUNS_MAX } from './limits'

/**
 * PayloadCutter hands runs of sealed gzip members to one worker thread (payloadWorker.ts),
 * which inflates them and cuts out their payloads while the replaying thread decodes the
 * runs before: a replay then costs its thread little more than decoding.
 *
 * A worker takes ~60 ms to start; until it is up, runs are cut on the calling thread (a
 * 256 KiB run blocks it about half as long as decoding that run does), so the first replay
 * of a process does not wait for it. When the worker cannot take a run (its built file is
 * missing, it died, it answered with a failure or another protocol, or
 * PAYLOAD_WORKER_RUNS_MAX runs are already out), `cut` answers null, and the replay reads
 * the rest of that segment as it does without a worker (inflating on the thread pool). A
 * worker that died is not started again: whatever killed it would likely kill the next one.
 *
 * While runs are out the worker keeps the process alive; idle, it does not, and it exits
 * after PAYLOAD_WORKER_IDLE_MS (the next run starts another).
 */
export class PayloadCutter {
  private worker: Worker | null = null
  private online = false
  private readonly waiting = new Map<number, (run: CutRun | null) => void>()
  private nextId = 1
  private unavailable = false
  private idleTimer: NodeJS.Timeout | null = null

  /**
   * @param minBytes the least a replay must have left to read in a sealed segment for its
   *   runs to come here; less is read on the replay's thread without starting a worker.
   */
  constructor(
    private readonly workerPath: () => string,
    readonly minBytes = PAYLOAD_WORKER_MIN_BYTES,
  ) {}

  /** cut runs `request` on the worker: its result, or null to do it on this thread. */
  cut(request: CutRequest): Promise<CutRun | null> {
    if (this.unavailable || this.waiting.size >= PAYLOAD_WORKER_RUNS_MAX) {
      return Promise.resolve(null)
    }
    const worker = this.worker ?? this.start()
    if (!worker) return Promise.resolve(null)
    if (!this.online) return Promise.resolve(cutPayloads(request))
    if (this.waiting.size === 0) this.busy(worker)
    const id = this.nextId++
    return new Promise((resolve) => {
      this.waiting.set(id, resolve)
      worker.postMessage({ id, request } satisfies CutJob)
    })
  }

  /** Runs handed to the worker and not yet answered. */
  get runsOut(): number {
    return this.waiting.size
  }

  /** The worker's thread id once it is up and taking runs; null before and after. */
  get workerThreadId(): number | null {
    return this.online ? (this.worker?.threadId ?? null) : null
  }

  /** stop ends the worker now; the runs still out answer null. */
  async stop(): Promise<void> {
    const worker = this.worker
    this.retire()
    await worker?.terminate()
  }

  private start(): Worker | null {
    let worker: Worker
    try {
      worker = new Worker(this.workerPath())
    } catch {
      this.unavailable = true
      return null
    }
    worker.on('online', () => {
      if (this.worker === worker) this.online = true
    })
    worker.on('message', (reply: CutReply) => this.settle(reply))
    const lost = (): void => {
      if (this.worker !== worker) return
      this.unavailable = true
      this.retire()
    }
    worker.on('error', lost)
    worker.on('exit', lost)
    this.worker = worker
    this.idle(worker)
    return worker
  }

  /** busy: runs are out, so the worker keeps the process alive and does not time out. */
  private busy(worker: Worker): void {
    worker.ref()
    if (this.idleTimer) clearTimeout(this.idleTimer)
    this.idleTimer = null
  }

  /** idle: nothing is out; the worker lets the process exit and exits itself in a while. */
  private idle(worker: Worker): void {
    worker.unref()
    this.idleTimer = setTimeout(() => void this.stop(), PAYLOAD_WORKER_IDLE_MS)
    this.idleTimer.unref()
  }

  private settle(reply: CutReply): void {
    const resolve = this.waiting.get(reply.id)
    if (!resolve) return
    this.waiting.delete(reply.id)
    // A run the worker could not cut is read again by the replay's own path, which names
    // whatever is wrong with it as a replay without the worker would.
    const fromThisBuild = reply.protocol === PAYLOAD_PROTOCOL
    if (!fromThisBuild) this.unavailable = true
    resolve(fromThisBuild && 'run' in reply ? reply.run : null)
    if (this.waiting.size === 0 && this.worker) this.idle(this.worker)
  }

  /** retire forgets the worker and answers null to every run still out. */
  private retire(): void {
    this.worker = null
    this.online = false
    if (this.idleTimer) clearTimeout(this.idleTimer)
    this.idleTimer = null
    const waiting = [...this.waiting.values()]
    this.waiting.clear()
    for (const resolve of waiting) resolve(null)
  }
}

let shared: PayloadCutter | null = null

/** sharedPayloadCutter is the process's one payload worker, shared by every replay. */
export function sharedPayloadCutter(): PayloadCutter {
  shared ??= new PayloadCutter(() => builtWorkerPath('payload-worker.js'))
  return shared
}
