import { randomUUID } from 'node:crypto'
import type { JobInfo, JobKind, JobState, StoreHandle } from '../../shared/storeApi'
import { StoreError, ValidationError } from '../engine/errors'
import type { HostLog } from './hostResult'
import { errorBodyOf, notFound } from './hostResult'
import { JOB_HISTORY_MAX } from './hostLimits'

/**
 * JobRegistry runs the host's long jobs (verification, recovery, index rebuilds) and remembers the last
 * JOB_HISTORY_MAX of them for getJob. One job at a time touches a store's files: a
 * verification and a recovery of the same store would each see the other's half-done
 * work, so any running job on a store refuses another with `job_running`.
 * Every change of a job is published (pushed as `job`); progress is throttled by the job.
 */

/** JobPatch is what a job's body may change of its info. */
export type JobPatch = Partial<Pick<JobInfo, 'progress' | 'report' | 'index_rebuild'>>

/** JobControl is what a running job's body uses to report and to be cancelled. */
export interface JobControl {
  readonly info: JobInfo
  /** Merges `patch` into the job's info and publishes it. */
  update(patch: JobPatch): void
  /** Registers how to cancel the job; a job without one cannot be cancelled. */
  onCancel(cancel: () => Promise<void>): void
}

/** What a finished job body resolves to. */
export interface JobOutcome {
  state: Extract<JobState, 'done' | 'cancelled'>
  patch?: JobPatch
}

interface Entry {
  info: JobInfo
  cancel: (() => Promise<void>) | null
}

export class JobRegistry {
  private readonly jobs = new Map<string, Entry>()

  constructor(
    private readonly publish: (job: JobInfo) => void,
    private readonly log: HostLog,
    private readonly nowMs: () => number = Date.now,
  ) {}

  /** start runs `body` as a job of `kind` on the store, or refuses with `job_running`. */
  start(
    handle: StoreHandle,
    kind: JobKind,
    body: (job: JobControl) => Promise<JobOutcome>,
  ): JobInfo {
    const running = this.runningOn(handle)
    if (running) {
      throw new StoreError(
        'job_running',
        `A ${running.kind} job (${running.job_id}) is running on this store; wait for it to end or cancel it.`,
      )
    }
    const entry: Entry = {
      info: {
        job_id: randomUUID(),
        handle,
        kind,
        state: 'running',
        started_at: new Date(this.nowMs()).toISOString(),
        finished_at: null,
        progress: null,
        report: null,
        error: null,
      },
      cancel: null,
    }
    this.jobs.set(entry.info.job_id, entry)
    this.forgetOldest()
    const control: JobControl = {
      info: entry.info,
      update: (patch) => this.change(entry, patch),
      onCancel: (cancel) => (entry.cancel = cancel),
    }
    void this.finish(entry, body(control))
    return { ...entry.info }
  }

  get(jobId: string): JobInfo {
    return { ...this.entry(jobId).info }
  }

  /** cancel asks a running job to stop and answers its state then; a finished job is left as it is. */
  async cancel(jobId: string): Promise<JobInfo> {
    const entry = this.entry(jobId)
    if (entry.info.state !== 'running') return { ...entry.info }
    if (!entry.cancel) {
      throw new ValidationError(
        'job_id',
        `names a ${entry.info.kind} job, which cannot be cancelled: stopping it halfway would leave the store half repaired`,
      )
    }
    await entry.cancel()
    return { ...entry.info }
  }

  /** runningOn is the job running on a store, if any. */
  runningOn(handle: StoreHandle): JobInfo | undefined {
    for (const { info } of this.jobs.values()) {
      if (info.handle === handle && info.state === 'running') return info
    }
    return undefined
  }

  /** cancelAll stops every cancellable running job (the host is closing). */
  async cancelAll(): Promise<void> {
    const running = [...this.jobs.values()].filter((e) => e.info.state === 'running' && e.cancel)
    await Promise.all(running.map((entry) => entry.cancel!().catch(() => undefined)))
  }

  private async finish(entry: Entry, running: Promise<JobOutcome>): Promise<void> {
    try {
      const outcome = await running
      this.change(entry, { ...outcome.patch, state: outcome.state })
    } catch (error) {
      this.change(entry, {
        state: 'failed',
        error: errorBodyOf(`run a ${entry.info.kind} job`, this.log, error),
      })
    }
  }

  private change(entry: Entry, patch: Partial<JobInfo>): void {
    if (entry.info.state !== 'running') return
    Object.assign(entry.info, patch)
    if (entry.info.state !== 'running') {
      entry.info.finished_at = new Date(this.nowMs()).toISOString()
      entry.cancel = null
    }
    this.publish({ ...entry.info })
  }

  private entry(jobId: string): Entry {
    const entry = typeof jobId === 'string' ? this.jobs.get(jobId) : undefined
    if (!entry) throw notFound(`job ${String(jobId)}`)
    return entry
  }

  /** forgetOldest keeps the history bounded; running jobs are never forgotten. */
  private forgetOldest(): void {
    for (const [id, entry] of this.jobs) {
      if (this.jobs.size <= JOB_HISTORY_MAX) return
      if (entry.info.state !== 'running') this.jobs.delete(id)
    }
  }
}
