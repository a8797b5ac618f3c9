import type { VerificationProgress } from '../../../../shared/verification'
import { formatByteRate, formatBytes, formatDurationMs, remainingMs } from '../common/format'

/**
 * verifyProgressText sums up a running verification in one line:
 * "2 of 3 files · 40 MiB of 62 MiB (64%) · 10 MiB/s · about 2.3 s left".
 */
export function verifyProgressText(progress: VerificationProgress): string {
  const { bytes_done, bytes_total, bytes_per_second } = progress
  const percent = bytes_total > 0 ? Math.floor((bytes_done / bytes_total) * 100) : 100
  return [
    `${progress.files_done} of ${progress.files_total} files`,
    `${formatBytes(bytes_done)} of ${formatBytes(bytes_total)} (${percent}%)`,
    formatByteRate(bytes_per_second),
    etaText(remainingMs(bytes_done, bytes_total, bytes_per_second)),
  ].join(' · ')
}

function etaText(etaMs: number | null): string {
  if (etaMs === null) return 'time left unknown'
  return etaMs === 0 ? 'finishing' : `about ${formatDurationMs(etaMs)} left`
}
