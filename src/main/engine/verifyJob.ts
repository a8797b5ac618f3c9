import * as os from 'node:os'
import { resolve } from 'node:path'
import type { FileStatus, VerifyReport } from '../../shared/report'
import type {
  VerificationFile,
  VerificationProgress,
  VerificationResult,
} from '../../shared/verification'
import type { FileSystem } from './fileSystem'
import { nodeFileSystem } from './nodeFileSystem'
import type { SegmentCheckTask } from './analyzeStore'
import { accountSegments, planSegmentChecks, segmentFileReport } from './analyzeStore'
import type { SegmentCheck } from './segmentCheck'
import { sealedName, segmentLogName } from './segmentNames'
import { readIdentity } from './storeDirectory'
import { LOCK_NAME, processIsAlive, readHolder } from './storeLock'
import { assert, StoreError, ValidationError } from './errors'
import type { FileVerification } from './verificationRecord'
import { readVerificationRecord, recordVerifications } from './verificationRecord'
import type { VerifyTask, WorkerMessage } from './verifyProtocol'
import { VERIFY_WORKER_FILE } from './verifyProtocol'
import type { VerifyWorkerPool } from './verifyWorkerPool'
import type { StoreMetrics } from './metrics/storeMetrics'
import { startWorkerPool } from './verifyWorkerPool'
import { builtWorkerPath } from './builtWorkerPath'
import { withSpan } from './telemetry/tracing'

/**
 * A verification job reads every record of a store on worker threads, so the thread that
 * serves appends and the UI never waits for it. Each worker checks whole segment files with
 * the functions EventStore.verify uses; this coordinator hands out the files, adds up
 * progress, and, once every file is checked, does the accounting across files (sequences
 * continue from 1 with no gap) with analyzeStore's own accountSegments. Its report is
 * therefore the one EventStore.verify gives, file for file.
 */

/** Workers a job starts unless told otherwise: both cores of the usual machine, no more. */
export const VERIFY_WORKERS_DEFAULT_MAX = 2
/** Least time between two progress reports. */
export const VERIFY_PROGRESS_INTERVAL_MS = 100

export interface VerificationOptions {
  /**
   * Segment file names to verify (say, one file). Each is checked on its own, without the
   * accounting across files, which needs them all. Default: every file of the store.
   */
  files?: readonly string[]
  /** Called at most every progressIntervalMs, and once more when the job ends. Must not throw. */
  onProgress?: (progress: VerificationProgress) => void
  /** Default min(VERIFY_WORKERS_DEFAULT_MAX, cores); never more than there are files. */
  workerCount?: number
  /** The built worker entry; default out/main/verify-worker.js (see builtWorkerPath). */
  workerPath?: string
  progressIntervalMs?: number
  /**
   * Write each verified file's time and outcome to verification.json. Only the store's
   * writer may: the job refuses unless this process holds LOCK. Read-only callers, such as
   * the CLI's `verify`, leave it off and never modify the store.
   */
  recordResults?: boolean
  hostname?: string
  isAlive?: (pid: number) => boolean
  nowMs?: () => number
  /**
   * The open store's metrics (EventStore.metrics), to time each file from a worker starting
   * it to its result (series `verify`). The job's progress has the bytes per second.
   */
  metrics?: StoreMetrics
}

/** VerificationJob is a running verification. */
export interface VerificationJob {
  /** The result; a cancelled job resolves with `cancelled: true`. Rejects on an I/O error. */
  readonly done: Promise<VerificationResult>
  /** cancel stops every worker now; resolves once they have exited. */
  cancel(): Promise<void>
  /** The progress right now. */
  progress(): VerificationProgress
}

/** startVerification starts verifying the store at `path` and returns at once. */
export function startVerification(
  path: string,
  options: VerificationOptions = {},
): VerificationJob {
  const run = new VerificationRun(resolve(path), options)
  return { done: run.done, cancel: () => run.cancel(), progress: () => run.snapshot(false) }
}

/** verifyReportOf is a finished job's result in the `verify --json` contract shape. */
export function verifyReportOf(result: VerificationResult): VerifyReport {
  assert(!result.cancelled, 'a cancelled verification has no report')
  return {
    ok: result.ok,
    files: result.files.map((file) => ({
      name: file.name,
      status: finalStatus(file.status),
      records: file.records,
      first_sequence: file.first_sequence,
      last_sequence: file.last_sequence,
      problems: file.problems,
    })),
  }
}

interface JobTask extends VerifyTask {
  name: string
}

class VerificationRun {
  readonly done: Promise<VerificationResult>
  private readonly fs: FileSystem = nodeFileSystem
  private readonly nowMs: () => number
  private readonly startedAtMs: number
  private readonly startedAt = performance.now()
  private files: VerificationFile[] = []
  private tasks: JobTask[] = []
  private checks: (SegmentCheck | null)[] = []
  private readonly verifiedAt = new Map<string, string>()
  /** Timer readings of when each file (by task index) was started on a worker. */
  private readonly fileStartedAt = new Map<number, number>()
  private filesDone = 0
  private rawBytesDone = 0
  private records = 0
  private writerActive = false
  private storeIdHex = ''
  private pool: VerifyWorkerPool | null = null
  private cancelled = false
  private finished = false
  private changed = false
  private callbackError: { error: unknown } | null = null

  constructor(
    private readonly dir: string,
    private readonly options: VerificationOptions,
  ) {
    this.nowMs = options.nowMs ?? Date.now
    this.startedAtMs = this.nowMs()
    this.done = withSpan('lighthouse.verify', {}, () => this.run())
  }

  async cancel(): Promise<void> {
    // Once every file is checked there is nothing left to stop: the job ends as it is.
    if (this.finished || (this.tasks.length > 0 && this.filesDone === this.tasks.length)) return
    this.cancelled = true
    await this.pool?.stop()
  }

  private async run(): Promise<VerificationResult> {
    await this.prepare()
    if (this.tasks.length > 0 && !this.cancelled) await this.check()
    this.throwIfCallbackFailed()
    this.finished = true
    if (!this.cancelled) this.account()
    if (this.options.recordResults) await this.record()
    const result = this.result()
    this.report(result)
    this.throwIfCallbackFailed()
    return result
  }

  private throwIfCallbackFailed(): void {
    if (this.callbackError) throw this.callbackError.error
  }

  /** prepare lists the files to check and their sizes; nothing is read yet. */
  private async prepare(): Promise<void> {
    const identity = await readIdentity(this.fs, this.dir)
    this.writerActive = await this.writerIsActive()
    if (this.options.recordResults) await this.assertWriter()
    const plan = planSegmentChecks((await this.fs.readdir(this.dir)) ?? [])
    const selected = selectTasks(plan.tasks, this.options.files)
    const previous = await readVerificationRecord(this.fs, this.dir)
    this.tasks = selected.map((task, index) => ({
      index,
      segmentNumber: task.segmentNumber,
      source: task.source,
      mayHaveTornTail: task.source === 'log' && task.newest,
      name: taskFileName(task),
    }))
    this.checks = this.tasks.map(() => null)
    for (const task of this.tasks) {
      const bytes = (await this.fs.size(`${this.dir}/${task.name}`)) ?? 0
      this.files.push({
        name: task.name,
        status: 'unverified',
        records: 0,
        first_sequence: null,
        last_sequence: null,
        problems: [],
        bytes,
        bytes_done: 0,
        thread_id: null,
        last_verified_at: previous.files[task.name]?.verified_at ?? null,
      })
    }
    this.storeIdHex = identity.store_id
    this.report(this.snapshot(false))
  }

  /** check runs the workers until every file is checked, or the job is cancelled. */
  private async check(): Promise<void> {
    const requested =
      this.options.workerCount ?? Math.min(VERIFY_WORKERS_DEFAULT_MAX, os.availableParallelism())
    if (!Number.isSafeInteger(requested) || requested < 1) {
      throw new ValidationError(
        'workerCount',
        `must be a whole number of at least 1, got ${requested}`,
      )
    }
    const intervalMs = this.options.progressIntervalMs ?? VERIFY_PROGRESS_INTERVAL_MS
    if (!(intervalMs >= 1)) {
      throw new ValidationError('progressIntervalMs', `must be at least 1, got ${intervalMs}`)
    }
    // Largest first, so the last file to finish is a small one and no worker idles long.
    const order = [...this.tasks].sort(
      (a, b) => this.files[b.index]!.bytes - this.files[a.index]!.bytes,
    )
    this.pool = startWorkerPool({
      workerPath: builtWorkerPath(VERIFY_WORKER_FILE, this.options.workerPath),
      workerData: {
        dir: this.dir,
        storeIdHex: this.storeIdHex,
        progressIntervalMs: intervalMs / 2,
      },
      workerCount: Math.min(requested, this.tasks.length),
      tasks: order,
      onTaskStarted: (task, threadId) => this.started(task.index, threadId),
      onMessage: (message) => this.received(message),
    })
    const timer = setInterval(() => {
      if (this.changed) this.report(this.snapshot(false))
    }, intervalMs)
    try {
      await this.pool.finished
    } finally {
      clearInterval(timer)
    }
  }

  private started(index: number, threadId: number): void {
    const file = this.files[index]!
    file.status = 'verifying'
    file.thread_id = threadId
    this.changed = true
    if (this.options.metrics) this.fileStartedAt.set(index, this.options.metrics.startTimer())
  }

  private received(message: WorkerMessage): void {
    const file = this.files[message.index]!
    this.changed = true
    if (message.kind === 'progress') {
      file.bytes_done = Math.min(file.bytes, Math.max(file.bytes_done, message.bytesRead))
      return
    }
    assert(message.kind === 'checked', `unexpected worker message ${message.kind}`)
    const task = this.tasks[message.index]!
    this.checks[message.index] = message.check
    Object.assign(file, segmentFileReport(message.check, task.mayHaveTornTail && this.writerActive))
    file.bytes_done = file.bytes
    this.verifiedAt.set(file.name, new Date(this.nowMs()).toISOString())
    const startedAt = this.fileStartedAt.get(message.index)
    if (startedAt !== undefined) this.options.metrics?.recordSince('verify', startedAt)
    this.filesDone++
    this.rawBytesDone += message.rawBytes
    this.records += message.check.records
  }

  /**
   * account replaces the per-file statuses with the store's report once every file is in:
   * sequences must continue across files, and a gap is a `missing` entry of its own.
   */
  private account(): void {
    if (this.options.files !== undefined) return
    const checks = this.checks.map((check) => {
      assert(check !== null, 'every file of a finished verification is checked')
      return check
    })
    const byName = new Map(this.files.map((file) => [file.name, file]))
    this.files = accountSegments(checks, this.writerActive).files.map((report) => {
      const file = byName.get(report.name)
      return {
        ...report,
        bytes: file?.bytes ?? 0,
        bytes_done: file?.bytes_done ?? 0,
        thread_id: file?.thread_id ?? null,
        last_verified_at: file?.last_verified_at ?? null,
      }
    })
  }

  /** record notes when each checked file was verified; the writer check ran in prepare. */
  private async record(): Promise<void> {
    const verified = new Map<string, FileVerification>()
    for (const file of this.files) {
      const at = this.verifiedAt.get(file.name)
      if (at === undefined || file.status === 'unverified' || file.status === 'verifying') continue
      verified.set(file.name, {
        verified_at: at,
        status: file.status,
        records: file.records,
        bytes: file.bytes,
      })
      file.last_verified_at = at
    }
    const present = planSegmentChecks((await this.fs.readdir(this.dir)) ?? []).tasks
    await recordVerifications(this.fs, this.dir, verified, new Set(present.map(taskFileName)))
  }

  snapshot(finished: boolean): VerificationProgress {
    const elapsedMs = performance.now() - this.startedAt
    const bytesDone = this.files.reduce((sum, file) => sum + file.bytes_done, 0)
    return {
      files_done: this.filesDone,
      files_total: this.tasks.length,
      bytes_done: bytesDone,
      bytes_total: this.files.reduce((sum, file) => sum + file.bytes, 0),
      raw_bytes_done: this.rawBytesDone,
      records: this.records,
      elapsed_ms: elapsedMs,
      bytes_per_second: elapsedMs > 0 ? (bytesDone * 1000) / elapsedMs : 0,
      finished,
      files: this.files.map((file) => ({ ...file, problems: [...file.problems] })),
    }
  }

  private result(): VerificationResult {
    if (this.cancelled) {
      for (const file of this.files) if (file.status === 'verifying') file.status = 'unverified'
    }
    const progress = this.snapshot(true)
    return {
      ...progress,
      ok: !this.cancelled && progress.files.every((file) => file.status === 'ok'),
      cancelled: this.cancelled,
      started_at: new Date(this.startedAtMs).toISOString(),
      finished_at: new Date(this.nowMs()).toISOString(),
      worker_thread_ids: this.pool?.threadIds ?? [],
    }
  }

  /** report hands a snapshot to onProgress; a callback that throws stops the job. */
  private report(progress: VerificationProgress): void {
    this.changed = false
    if (!this.options.onProgress || this.callbackError) return
    try {
      this.options.onProgress(progress)
    } catch (error) {
      this.callbackError = { error }
      this.pool?.stop().catch(() => undefined)
    }
  }

  /** writerIsActive: a live process holds LOCK, so the newest tail may still be written. */
  private async writerIsActive(): Promise<boolean> {
    const holder = await readHolder(this.fs, `${this.dir}/${LOCK_NAME}`)
    if (!holder) return false
    if (holder.host !== (this.options.hostname ?? os.hostname())) return true
    return (this.options.isAlive ?? processIsAlive)(holder.pid)
  }

  private async assertWriter(): Promise<void> {
    const holder = await readHolder(this.fs, `${this.dir}/${LOCK_NAME}`)
    const host = this.options.hostname ?? os.hostname()
    if (holder?.pid === process.pid && holder.host === host) return
    throw new StoreError(
      'read_only',
      `Verification results are recorded only by the store's writer, and this process does not hold the lock of ${this.dir}. Verify without recording, or open the store as its writer.`,
    )
  }
}

/** selectTasks keeps the tasks of the named files, refusing a name the store does not have. */
function selectTasks(
  tasks: SegmentCheckTask[],
  files: readonly string[] | undefined,
): SegmentCheckTask[] {
  if (files === undefined) return tasks
  if (files.length === 0) throw new ValidationError('files', 'must name at least one segment file')
  const wanted = new Set(files)
  for (const name of wanted) {
    if (!tasks.some((task) => taskFileName(task) === name)) {
      throw new ValidationError(
        'files',
        `names "${name}", which is not a segment file of the store`,
      )
    }
  }
  return tasks.filter((task) => wanted.has(taskFileName(task)))
}

function taskFileName(task: SegmentCheckTask): string {
  return task.source === 'log' ? segmentLogName(task.segmentNumber) : sealedName(task.segmentNumber)
}

function finalStatus(status: VerificationFile['status']): FileStatus {
  assert(status !== 'unverified' && status !== 'verifying', `file still ${status} in a report`)
  return status
}
