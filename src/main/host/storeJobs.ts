import type { JobInfo } from '../../shared/storeApi'
import type { VerificationProgress } from '../../shared/verification'
import { StoreError, ValidationError } from '../engine/errors'
import { parseSegmentFileName } from '../engine/segmentNames'
import { startVerification } from '../engine/verifyJob'
import type { HostedStore } from './hostedStore'
import type { JobRegistry } from './jobRegistry'
import { recoverInWorker } from './recoveryRun'
import { rebuildIndexesInWorker } from './indexRebuildRun'
import { reportIdOf } from './recoveryReports'
import { JOB_PROGRESS_INTERVAL_MS, RECOVERY_REPORTS_LISTED_MAX } from './hostLimits'

/**
 * The host's three jobs on a store. Verification runs the engine's worker-thread job on
 * the store's directory while the store stays open, timed into the store's metrics; one
 * that passed for every file tells the store's SLA monitor, so an operator may approve
 * leaving RECOVERING. Recovery needs the writer lock, so it
 * closes the store, runs EventStore.recover on a worker thread, and opens the store again
 * with the same handle and access. An index rebuild writes index files, so only the writer
 * runs one; the store stays open and loads each new index once the worker has written it.
 */
export interface JobContext {
  jobs: JobRegistry
  /** The built verification worker; undefined lets the engine find it. */
  verifyWorkerPath: string | undefined
  /** Finds the built recovery worker, or throws. */
  recoverWorkerPath: () => string
  /** Finds the built index worker, or throws. */
  indexWorkerPath: () => string
  /** A file's checksum status changed: push the store's segments. */
  segmentsChanged: (hosted: HostedStore) => void
  /** Opens the store again after recovery; drops it from the host when that fails. */
  reopen: (hosted: HostedStore) => Promise<void>
}

export function startStoreVerification(
  ctx: JobContext,
  hosted: HostedStore,
  file: string | undefined,
): JobInfo {
  const names = hosted.store.inspect().segments.map((segment) => segment.name)
  if (file !== undefined && !names.includes(file)) {
    throw new ValidationError(
      'file',
      `must name a segment file of the store (${names.length} files), got ${String(file)}`,
    )
  }
  const metrics = hosted.store.metrics
  return ctx.jobs.start(hosted.handle, 'verify', async (job) => {
    const run = startVerification(hosted.path, {
      metrics,
      ...(file !== undefined ? { files: [file] } : {}),
      ...(ctx.verifyWorkerPath !== undefined ? { workerPath: ctx.verifyWorkerPath } : {}),
      progressIntervalMs: JOB_PROGRESS_INTERVAL_MS,
      // Only the writer records results in verification.json; a follower never writes.
      recordResults: hosted.access === 'write',
      onProgress: (progress) => {
        job.update({ progress })
        if (noteStatuses(hosted, progress)) ctx.segmentsChanged(hosted)
      },
    })
    job.onCancel(() => run.cancel())
    const result = await run.done
    if (noteStatuses(hosted, result)) ctx.segmentsChanged(hosted)
    // Only a check of every file counts toward leaving RECOVERING (SlaMonitor.approve).
    if (result.ok && file === undefined && hosted.isOpen) {
      hosted.store.verificationPassed(Date.parse(result.started_at))
    }
    return { state: result.cancelled ? 'cancelled' : 'done', patch: { progress: result } }
  })
}

export function startStoreRecovery(ctx: JobContext, hosted: HostedStore): JobInfo {
  void hosted.store // refuses with store_closed before a job starts
  return ctx.jobs.start(hosted.handle, 'recover', async () => {
    const workerPath = ctx.recoverWorkerPath()
    await hosted.suspend('The store is being recovered; it opens again when the recovery job ends.')
    let report
    try {
      report = await recoverInWorker(hosted.path, workerPath)
    } finally {
      await ctx.reopen(hosted)
    }
    rememberManualReport(hosted, reportIdOf(report))
    hosted.checks.clear()
    ctx.segmentsChanged(hosted)
    return { state: 'done', patch: { report } }
  })
}

export function startIndexRebuild(ctx: JobContext, hosted: HostedStore): JobInfo {
  const store = hosted.store // refuses with store_closed before a job starts
  if (hosted.access !== 'write') {
    throw new StoreError(
      'read_only',
      "Only the store's writer rebuilds its indexes; open the store for writing to rebuild them.",
    )
  }
  return ctx.jobs.start(hosted.handle, 'rebuild_indexes', async (job) => {
    const workerPath = ctx.indexWorkerPath()
    // Open-time rebuilds and seals write index files too: let them finish first.
    await store.idle()
    const segmentNumbers = store
      .inspect()
      .segments.filter((segment) => segment.sealed && segment.records > 0)
      .map((segment) => parseSegmentFileName(segment.name)!.segmentNumber)
    const done = await rebuildIndexesInWorker(
      { dir: hosted.path, segmentNumbers },
      workerPath,
      (index_rebuild) => job.update({ index_rebuild }),
    )
    // The cache keeps the summaries it loaded; loading again drops them with their postings.
    for (const segmentNumber of segmentNumbers) await store.indexes.load(segmentNumber)
    return { state: 'done', patch: { index_rebuild: done } }
  })
}

/** noteStatuses keeps the statuses a verification found; true when any of them changed. */
function noteStatuses(hosted: HostedStore, progress: VerificationProgress): boolean {
  let changed = false
  for (const file of progress.files) {
    const known = hosted.checks.get(file.name)
    if (known?.status === file.status) continue
    changed = true
    // A cancelled job leaves files unverified: what verification.json says holds again.
    if (file.status === 'unverified') {
      hosted.checks.delete(file.name)
      continue
    }
    const checked = file.status !== 'verifying'
    hosted.checks.set(file.name, {
      status: file.status,
      problems: file.problems,
      verified_at: checked
        ? new Date().toISOString()
        : (known?.verified_at ?? file.last_verified_at),
    })
  }
  return changed
}

function rememberManualReport(hosted: HostedStore, id: string): void {
  hosted.manualReportIds.add(id)
  for (const oldest of hosted.manualReportIds) {
    if (hosted.manualReportIds.size <= RECOVERY_REPORTS_LISTED_MAX) break
    hosted.manualReportIds.delete(oldest)
  }
}
