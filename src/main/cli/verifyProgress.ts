import type { Writable } from 'node:stream'
import type { VerifyReport } from '../../shared/report'
import type { VerificationProgress } from '../../shared/verification'
import { startVerification, verifyReportOf } from '../engine/verifyJob'

/**
 * verifyStore runs the verification job for `lighthouse-store verify`: on worker threads,
 * read-only (it never records results, so the store is never modified). With a `progress`
 * stream it prints one sentence per progress report there; stdout stays for the report.
 */
export async function verifyStore(dir: string, progress: Writable | null): Promise<VerifyReport> {
  let lastLine = ''
  const print = (update: VerificationProgress) => {
    // A file that only started adds nothing to the sentence: say each sentence once.
    const line = describeProgress(update)
    if (line !== lastLine) progress?.write(`${line}\n`)
    lastLine = line
  }
  const job = startVerification(dir, { onProgress: progress ? print : undefined })
  return verifyReportOf(await job.done)
}

/** describeProgress says where a verification is, e.g. "verified 3/12 files, 210 MB, ...". */
export function describeProgress(progress: VerificationProgress): string {
  const seconds = progress.elapsed_ms / 1000
  const parts = [
    `verified ${progress.files_done}/${progress.files_total} files`,
    `${formatBytes(progress.bytes_done)} of ${formatBytes(progress.bytes_total)}`,
    `${formatCount(progress.records)} events`,
    `${formatBytes(progress.bytes_per_second)}/s`,
  ]
  return progress.finished
    ? `${parts.join(', ')}, done in ${seconds.toFixed(1)} s`
    : parts.join(', ')
}

/** formatBytes writes a size in decimal units: 512 B, 3.4 kB, 210 MB, 1.2 GB. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB']
  let value = bytes
  let unit = 0
  // 999.5 and up would print as 1000 of this unit: that is one of the next.
  while (value >= 999.5 && unit < units.length - 1) {
    value /= 1000
    unit++
  }
  const digits = unit === 0 || value >= 100 ? 0 : 1
  return `${value.toFixed(digits)} ${units[unit]}`
}

/** formatCount writes a count the way a person reads it: 950, 12.5k, 1.2M. */
export function formatCount(count: number): string {
  if (count < 1000) return String(count)
  if (count < 999_500) return `${(count / 1000).toFixed(count < 99_950 ? 1 : 0)}k`
  return `${(count / 1_000_000).toFixed(1)}M`
}
