/**
 * What the host reports without being asked, per store: jobs, segments, SLA snapshots,
 * health and degradation transitions. The Files, Recovery, Performance and Health views read
 * these; pushes keep them fresh. Lists that grow over a session are bounded.
 */
import type { SlaSnapshot, SlaTransition, DetailedHealth } from '../../../shared/sla'
import type { JobInfo, SegmentInfo, StoreHandle } from '../../../shared/storeApi'

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
}

export function initialMonitor(): MonitorState {
  return { jobs: [], segments: {}, sla: {}, health: {}, transitions: {} }
}

export function monitorWithJob(monitor: MonitorState, job: JobInfo): MonitorState {
  const index = monitor.jobs.findIndex((known) => known.job_id === job.job_id)
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

/** monitorWith sets one per-store record (segments, sla or health). */
export function monitorWith<K extends 'segments' | 'sla' | 'health'>(
  monitor: MonitorState,
  key: K,
  handle: StoreHandle,
  value: MonitorState[K][StoreHandle],
): MonitorState {
  return { ...monitor, [key]: { ...monitor[key], [handle]: value } }
}
