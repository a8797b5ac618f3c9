/**
 * What the host reports without being asked, per store: jobs, segments, SLA snapshots,
 * health and degradation transitions. The Files, Recovery, Performance and Health views read
 * these; pushes keep them fresh. Lists that grow over a session are bounded.
 */
import type { SlaSnapshot, SlaTransition, DetailedHealth } from '../../../shared/sla'
import type { JobInfo, LoadStatus, SegmentInfo, StoreHandle } from '../../../shared/storeApi'

/** JOBS_KEPT_MAX bounds the jobs remembered; the oldest go first. */
export const JOBS_KEPT_MAX = 100
/** TRANSITIONS_KEPT_MAX bounds the SLA transitions remembered per store. */
export const TRANSITIONS_KEPT_MAX = 200

export interface MonitorState {
  /** Oldest first; a job's updates replace it in place. */
  jobs: JobInfo[]
  segments: Record<StoreHandle, SegmentInfo[]>
  sla: Record<StoreHandle, SlaSnapshot>
  health: Record<StoreHandle, DetailedHealth>
  /** Oldest first. */
  transitions: Record<StoreHandle, SlaTransition[]>
  /** The load generator's status, as last pushed. */
  load: Record<StoreHandle, LoadStatus>
}

export function initialMonitor(): MonitorState {
  return { jobs: [], segments: {}, sla: {}, health: {}, transitions: {}, load: {} }
}

/**
 * monitorWithJob records a job's newest state. A call's answer can arrive after the push
 * that reported the job finished, so a finished job never goes back to running.
 */
export function monitorWithJob(monitor: MonitorState, job: JobInfo): MonitorState {
  const index = monitor.jobs.findIndex((known) => known.job_id === job.job_id)
  if (index !== -1 && job.state === 'running' && monitor.jobs[index]!.state !== 'running') {
    return monitor
  }
  const jobs =
    index === -1
      ? [...monitor.jobs, job].slice(-JOBS_KEPT_MAX)
      : monitor.jobs.map((known, at) => (at === index ? job : known))
  return { ...monitor, jobs }
}

export function monitorWithTransition(
  monitor: MonitorState,
  handle: StoreHandle,
  transition: SlaTransition,
): MonitorState {
  const kept = [...(monitor.transitions[handle] ?? []), transition].slice(-TRANSITIONS_KEPT_MAX)
  return { ...monitor, transitions: { ...monitor.transitions, [handle]: kept } }
}

/** monitorWith sets one per-store record (segments, sla, health or load). */
export function monitorWith<K extends 'segments' | 'sla' | 'health' | 'load'>(
  monitor: MonitorState,
  key: K,
  handle: StoreHandle,
  value: MonitorState[K][StoreHandle],
): MonitorState {
  return { ...monitor, [key]: { ...monitor[key], [handle]: value } }
}
