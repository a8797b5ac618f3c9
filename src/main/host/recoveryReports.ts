import type { RecoveryReport } from '../../shared/report'
import type { RecoveryReportEntry } from '../../shared/storeApi'
import type { EventStore } from '../engine/eventStore'
import { fileStamp } from '../engine/recovery'
import { REPORTS_DIR } from '../engine/storeDirectory'
import { StoreError, ValidationError } from '../engine/errors'
import { notFound } from './hostResult'
import {
  RECOVERY_REPORT_BYTES_MAX,
  RECOVERY_REPORT_ID_PATTERN,
  RECOVERY_REPORTS_LISTED_MAX,
} from './hostLimits'

/**
 * Recovery reports are the JSON files the engine writes to the store's reports/ directory.
 * A report's id is its file name, checked against RECOVERY_REPORT_ID_PATTERN before it
 * names a file, so an id can never reach outside reports/.
 *
 * Which reports were asked for (`manual`) and which an open wrote on its own (`open`): the
 * engine does not write that down yet, so a report says `manual` when it carries a
 * `trigger` of "manual" or this host ran the recovery that wrote it, and `open` otherwise.
 */
export async function listRecoveryReports(
  store: EventStore,
  manualIds: ReadonlySet<string>,
): Promise<RecoveryReportEntry[]> {
  const { fs, dir } = store.files
  const names = ((await fs.readdir(`${dir}/${REPORTS_DIR}`)) ?? [])
    .filter((name) => RECOVERY_REPORT_ID_PATTERN.test(name))
    .sort()
    .reverse()
    .slice(0, RECOVERY_REPORTS_LISTED_MAX)
  const entries: RecoveryReportEntry[] = []
  for (const id of names) {
    const report = await readReport(store, id).catch((error: unknown) => {
      // A report removed or damaged meanwhile is left out of the list, not a failed listing.
      if (error instanceof StoreError) return null
      throw error
    })
    if (!report) continue
    const trigger = (report as { trigger?: unknown }).trigger
    entries.push({
      id,
      started_at: report.started_at,
      finished_at: report.finished_at,
      ok: report.ok,
      trigger: trigger === 'manual' || manualIds.has(id) ? 'manual' : 'open',
      actions: report.actions.length,
      problems: report.problems.length,
    })
  }
  return entries
}

export async function readRecoveryReport(store: EventStore, id: string): Promise<RecoveryReport> {
  if (typeof id !== 'string' || !RECOVERY_REPORT_ID_PATTERN.test(id)) {
    throw new ValidationError(
      'id',
      'must be a report id as listed by listRecoveryReports, like recovery-2025-01-01T00-00-00-000Z.json',
    )
  }
  return readReport(store, id)
}

/** reportIdOf is the id (file name) the engine gives the report of a recovery. */
export function reportIdOf(report: RecoveryReport): string {
  return `recovery-${fileStamp(Date.parse(report.started_at))}.json`
}

async function readReport(store: EventStore, id: string): Promise<RecoveryReport> {
  const { fs, dir } = store.files
  const path = `${dir}/${REPORTS_DIR}/${id}`
  const size = await fs.size(path)
  if (size === null) throw notFound(`recovery report ${id}`)
  if (size > RECOVERY_REPORT_BYTES_MAX) {
    throw new StoreError(
      'payload_too_large',
      `Recovery report ${id} has ${size} bytes, over the limit of ${RECOVERY_REPORT_BYTES_MAX} (RECOVERY_REPORT_BYTES_MAX).`,
    )
  }
  let parsed: unknown
  try {
    parsed = JSON.parse((await fs.readFile(path)).toString('utf8'))
  } catch {
    throw new StoreError('corruption', `Recovery report ${id} is not valid JSON.`)
  }
  if (!isReport(parsed)) {
    throw new StoreError(
      'corruption',
      `Recovery report ${id} does not have the shape of a recovery report.`,
    )
  }
  return parsed
}

function isReport(value: unknown): value is RecoveryReport {
  if (typeof value !== 'object' || value === null) return false
  const report = value as Partial<RecoveryReport>
  return (
    typeof report.ok === 'boolean' &&
    typeof report.started_at === 'string' &&
    typeof report.finished_at === 'string' &&
    Array.isArray(report.actions) &&
    Array.isArray(report.problems)
  )
}
