/**
 * Display formatters shared by the views. Pure, locale-fixed (en-US) and UTC-only, so a
 * figure reads the same on every machine and in tests; null means "not known" and shows
 * as an em dash rather than a misleading zero.
 */

export const UNKNOWN = '—'

const BYTE_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'] as const

/** formatBytes shows a byte count in binary units: 0 B, 512 B, 1.5 KiB, 100 MiB. */
export function formatBytes(bytes: number | null): string {
  if (bytes === null || !Number.isFinite(bytes)) return UNKNOWN
  let value = Math.abs(bytes)
  let unit = 0
  while (value >= 1024 && unit < BYTE_UNITS.length - 1) {
    value /= 1024
    unit += 1
  }
  const sign = bytes < 0 ? '-' : ''
  return `${sign}${unit === 0 ? value : trimNumber(value)} ${BYTE_UNITS[unit]}`
}

/** formatByteRate shows throughput such as a verification's bytes per second. */
export function formatByteRate(bytesPerSecond: number | null): string {
  if (bytesPerSecond === null || !Number.isFinite(bytesPerSecond)) return UNKNOWN
  return `${formatBytes(bytesPerSecond)}/s`
}

/** formatDurationMs shows a duration: 850 ms, 1.2 s, 3 min 20 s, 2 h 5 min. */
export function formatDurationMs(ms: number | null): string {
  if (ms === null || !Number.isFinite(ms) || ms < 0) return UNKNOWN
  if (ms < 1000) return `${trimNumber(ms)} ms`
  if (ms < 60_000) return `${trimNumber(ms / 1000)} s`
  const totalSeconds = Math.round(ms / 1000)
  if (totalSeconds < 3600) {
    const minutes = Math.floor(totalSeconds / 60)
    const seconds = totalSeconds % 60
    return seconds === 0 ? `${minutes} min` : `${minutes} min ${seconds} s`
  }
  const totalMinutes = Math.round(totalSeconds / 60)
  const hours = Math.floor(totalMinutes / 60)
  const minutes = totalMinutes % 60
  return minutes === 0 ? `${hours} h` : `${hours} h ${minutes} min`
}

/** microsToMs converts the store's microsecond latencies to the milliseconds people read. */
export function microsToMs(micros: number): number {
  return micros / 1000
}

/** formatLatencyMs shows a latency in milliseconds with enough digits for sub-ms values. */
export function formatLatencyMs(ms: number | null): string {
  if (ms === null || !Number.isFinite(ms)) return UNKNOWN
  if (ms >= 100) return `${Math.round(ms).toLocaleString('en-US')} ms`
  if (ms >= 1) return `${trimNumber(ms)} ms`
  return `${Number(ms.toPrecision(2))} ms`
}

/** formatPercent shows a 0..1 ratio as a percentage: 0.8123 -> 81.2%. */
export function formatPercent(ratio: number | null, digits = 1): string {
  if (ratio === null || !Number.isFinite(ratio)) return UNKNOWN
  return `${(ratio * 100).toFixed(digits)}%`
}

/** formatCount shows an integer with thousands separators: 1234567 -> 1,234,567. */
export function formatCount(count: number | null): string {
  if (count === null || !Number.isFinite(count)) return UNKNOWN
  return count.toLocaleString('en-US')
}

/** formatTime shows an ISO-8601 instant in UTC to the millisecond: 2026-11-27 03:39:22.123Z. */
export function formatTime(iso: string | null): string {
  if (iso === null) return UNKNOWN
  const ms = Date.parse(iso)
  if (Number.isNaN(ms)) return iso
  return new Date(ms).toISOString().replace('T', ' ')
}

/** formatRange shows an inclusive range of sequences or times, or a dash when empty. */
export function formatRange<T>(
  first: T | null,
  last: T | null,
  format: (value: T) => string,
): string {
  if (first === null || last === null) return UNKNOWN
  return `${format(first)} – ${format(last)}`
}

/** remainingMs estimates the time left from work done, work total and the current rate. */
export function remainingMs(done: number, total: number, perSecond: number): number | null {
  if (done >= total) return 0
  if (!(perSecond > 0)) return null
  return ((total - done) / perSecond) * 1000
}

/** Three significant figures at most, without trailing zeros: 1.50 -> 1.5, 123.4 -> 123. */
function trimNumber(value: number): string {
  if (value >= 100) return String(Math.round(value))
  return String(Number(value.toPrecision(3)))
}

/** formatClock shows the UTC time of day for chart axes: 03:39, or 03:39:22 with seconds. */
export function formatClock(ms: number, withSeconds = false): string {
  return new Date(ms).toISOString().slice(11, withSeconds ? 19 : 16)
}
