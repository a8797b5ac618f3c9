import { availableParallelism } from 'node:os'
import { Worker } from 'node:worker_threads'
import { builtWorkerPath } from './builtWorkerPath'
import type { CutJob, CutReply, CutRequest, CutRun } from './payloadCut'
import { cutPayloads, PAYLOAD_PROTOCOL } from './payloadCut'
import {
  PAYLOAD_WORKER_IDLE_MS,
  PAYLOAD_WORKER_MIN_BYTES,
  PAYLOAD_WORKER_RUNS_MAX,
  PAYLOAD_WORKERS_MAX,
} from './limits'

/**
 * PayloadCutter hands runs of sealed gzip members to worker threads (payloadWorker.ts),
 * which inflate them and cut out their payloads while the replaying thread decodes the
 * runs before: a replay then costs its thread little more than decoding. One worker starts
 * with the first run; another (up to PAYLOAD_WORKERS_MAX, and no more than the machine's
 * cores) when a run comes while every worker has one out, since a worker's share of a run
 * (inflating, checking, rewriting) costs more than the replaying thread's (decoding).
 *
 * A worker takes ~60 ms to start; until the first is up, runs are cut on the calling thread
 * (a run blocks it for a few milliseconds, less than decoding its payloads as stored would
 * take), so the first replay of a process does not wait for it. When no worker can take a
 * run (the built file is missing, a worker died, answered with a failure or another
 * protocol, or PAYLOAD_WORKER_RUNS_MAX runs are already out), `cut` answers null, and the
 * replay reads the rest of that segment as it does without a worker (inflating on the
 * thread pool). When a worker dies, all stop and none is started again: whatever killed
 * it would likely kill the next one. When another cannot start, those up keep working.
 *
 * A worker with runs out keeps the process alive; idle, it does not, and all exit after
 * PAYLOAD_WORKER_IDLE_MS with nothing out (the next run starts one again).
 */
export class PayloadCutter {
  private readonly workers: WorkerSlot[] = []
  private readonly waiting = new Map<
    number,
    { resolve: (run: CutRun | null) => void; slot: WorkerSlot }
  >()
  private nextId = 1
  private unavailable = false
  /** A worker could not be started: no more are tried while those up keep running. */
  private startFailed = false
  private idleTimer: NodeJS.Timeout | null = null

  /**
   * @param minBytes the least a replay must have left to read in a sealed segment for its
   *   runs to come here; less is read on the replay's thread without starting a worker.
   * @param workersMax the most workers to run at once.
   */
  constructor(
    private readonly workerPath: () => string,
    readonly minBytes = PAYLOAD_WORKER_MIN_BYTES,
    private readonly workersMax = Math.min(PAYLOAD_WORKERS_MAX, availableParallelism()),
  ) {}

  /** cut runs `request` on a worker: its result, or null to do it on this thread. */
  cut(request: CutRequest): Promise<CutRun | null> {
    if (this.unavailable || this.waiting.size >= PAYLOAD_WORKER_RUNS_MAX) {
      return Promise.resolve(null)
    }
    const slot = this.pick()
    if (!slot) return Promise.resolve(null)
    if (!slot.online) return Promise.resolve(cutPayloads(request))
    if (this.idleTimer) clearTimeout(this.idleTimer)
    this.idleTimer = null
    // A worker with runs out keeps the process alive until they are answered.
    if (slot.out++ === 0) slot.worker.ref()
    const id = this.nextId++
    return new Promise((resolve) => {
      this.waiting.set(id, { resolve, slot })
      // The gzip bytes are moved, not copied, when nothing else shares their memory.
      const { gz } = request
      const own = gz.byteOffset === 0 && gz.byteLength === gz.buffer.byteLength
      slot.worker.postMessage(
        { id, request } satisfies CutJob,
        own ? [gz.buffer as ArrayBuffer] : [],
      )
    })
  }

  /** Runs handed to workers and not yet answered. */
  get runsOut(): number {
    return this.waiting.size
  }

  /** The thread ids of the workers that are up and taking runs. */
  get workerThreadIds(): number[] {
    return this.workers.filter((slot) => slot.online).map((slot) => slot.worker.threadId)
  }

  /** stop ends the workers now; the runs still out answer null. */
  async stop(): Promise<void> {
    const workers = this.workers.map((slot) => slot.worker)
    this.retire()
    await Promise.all(workers.map((worker) => worker.terminate()))
  }

  /**
   * pick is the worker for the next run: the one up with the fewest runs out (another
   * starts when even that one has a run out); a worker still starting when none is up (the
   * run is cut here); null when the first cannot start.
   */
  private pick(): WorkerSlot | null {
    if (this.workers.length === 0) return this.start()
    let best: WorkerSlot | null = null
    for (const slot of this.workers) {
      if (slot.online && (!best || slot.out < best.out)) best = slot
    }
    if (best && best.out > 0 && this.workers.length < this.workersMax && !this.startFailed) {
      this.start()
    }
    return best ?? this.workers[0]!
  }

  private start(): WorkerSlot | null {
    let worker: Worker
    try {
      worker = new Worker(this.workerPath())
    } catch {
      // Without a first worker there is none; a later one failing leaves those running.
      this.startFailed = true
      if (this.workers.length === 0) this.unavailable = true
      return null
    }
    const slot: WorkerSlot = { worker, online: false, out: 0 }
    worker.on('online', () => {
      slot.online = this.workers.includes(slot)
    })
    worker.on('message', (reply: CutReply) => this.settle(reply))
    const lost = (): void => {
      if (!this.workers.includes(slot)) return
      this.unavailable = true
      void this.stop()
    }
    worker.on('error', lost)
    worker.on('exit', lost)
    worker.unref()
    this.workers.push(slot)
    if (this.waiting.size === 0) this.idle()
    return slot
  }

  /** idle: nothing is out; the workers exit in a while unless a run comes. */
  private idle(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer)
    this.idleTimer = setTimeout(() => void this.stop(), PAYLOAD_WORKER_IDLE_MS)
    this.idleTimer.unref()
  }

  private settle(reply: CutReply): void {
    const waiting = this.waiting.get(reply.id)
    if (!waiting) return
    this.waiting.delete(reply.id)
    if (--waiting.slot.out === 0) waiting.slot.worker.unref()
    // A run a worker could not cut is read again by the replay's own path, which names
    // whatever is wrong with it as a replay without the worker would.
    const fromThisBuild = reply.protocol === PAYLOAD_PROTOCOL
    if (!fromThisBuild) this.unavailable = true
    waiting.resolve(fromThisBuild && 'run' in reply ? reply.run : null)
    if (this.waiting.size === 0 && this.workers.length > 0) this.idle()
  }

  /** retire forgets the workers and answers null to every run still out. */
  private retire(): void {
    this.workers.length = 0
    if (this.idleTimer) clearTimeout(this.idleTimer)
    this.idleTimer = null
    const waiting = [...this.waiting.values()]
    this.waiting.clear()
    for (const { resolve } of waiting) resolve(null)
  }
}

/** A worker, whether it is up, and how many runs it has out. */
interface WorkerSlot {
  worker: Worker
  online: boolean
  out: number
}

let shared: PayloadCutter | null = null

/** sharedPayloadCutter is the process's payload workers, shared by every replay. */
export function sharedPayloadCutter(): PayloadCutter {
  shared ??= new PayloadCutter(() => builtWorkerPath('payload-worker.js'))
  return shared
}
