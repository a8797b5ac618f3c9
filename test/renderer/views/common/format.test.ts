// @vitest-environment jsdom
import { describe, expect, it } from 'vitest'
import {
  formatByteRate,
  formatBytes,
  formatClock,
  formatCount,
  formatDurationMs,
  formatLatencyMs,
  formatPercent,
  formatRange,
  formatTime,
  microsToMs,
  remainingMs,
} from '../../../../src/renderer/src/views/common/format'

describe('formatBytes', () => {
  it.each([
    [0, '0 B'],
    [1023, '1023 B'],
    [1024, '1 KiB'],
    [1536, '1.5 KiB'],
    [104_857_600, '100 MiB'],
    [31_457_280, '30 MiB'],
    [1_288_490_189, '1.2 GiB'],
    [-2048, '-2 KiB'],
    [null, '—'],
    [Number.NaN, '—'],
  ])('%s -> %s', (bytes, text) => {
    expect(formatBytes(bytes)).toBe(text)
  })

  it('appends per second for a rate', () => {
    expect(formatByteRate(10_485_760)).toBe('10 MiB/s')
    expect(formatByteRate(null)).toBe('—')
  })
})

describe('formatDurationMs', () => {
  it.each([
    [0, '0 ms'],
    [12.5, '12.5 ms'],
    [850, '850 ms'],
    [1_234, '1.23 s'],
    [59_400, '59.4 s'],
    [60_000, '1 min'],
    [200_000, '3 min 20 s'],
    [3_600_000, '1 h'],
    [7_500_000, '2 h 5 min'],
    [-1, '—'],
    [null, '—'],
  ])('%s -> %s', (ms, text) => {
    expect(formatDurationMs(ms)).toBe(text)
  })
})

describe('latency', () => {
  it('converts the store microseconds to milliseconds', () => {
    expect(microsToMs(1_500)).toBe(1.5)
  })

  it.each([
    [0.142, '0.14 ms'],
    [0.0051, '0.0051 ms'],
    [1.5, '1.5 ms'],
    [14.25, '14.3 ms'],
    [1_250, '1,250 ms'],
    [null, '—'],
  ])('%s ms reads %s', (ms, text) => {
    expect(formatLatencyMs(ms)).toBe(text)
  })
})

describe('counts, ratios and times', () => {
  it('formats percentages, counts and UTC times', () => {
    expect(formatPercent(0.8123)).toBe('81.2%')
    expect(formatPercent(0.0123, 2)).toBe('1.23%')
    expect(formatCount(1_234_567)).toBe('1,234,567')
    expect(formatTime('2026-11-27T03:39:22.123Z')).toBe('2026-11-27 03:39:22.123Z')
    expect(formatTime('2026-11-27T04:39:22.123+01:00')).toBe('2026-11-27 03:39:22.123Z')
    expect(formatTime('not a time')).toBe('not a time')
    expect(formatTime(null)).toBe('—')
    expect(formatClock(Date.UTC(2026, 10, 27, 3, 39, 22))).toBe('03:39')
    expect(formatClock(Date.UTC(2026, 10, 27, 3, 39, 22), true)).toBe('03:39:22')
  })

  it('shows a range only when both ends are known', () => {
    expect(formatRange(1, 50_000, formatCount)).toBe('1 – 50,000')
    expect(formatRange(null, 5, formatCount)).toBe('—')
  })
})

describe('remainingMs', () => {
  it.each([
    ['from the rate', 25, 125, 50, 2_000],
    ['zero when done', 125, 125, 0, 0],
    ['unknown without a rate', 0, 125, 0, null],
  ])('estimates %s', (_claim, done, total, perSecond, expected) => {
    expect(remainingMs(done, total, perSecond)).toBe(expected)
  })
})
