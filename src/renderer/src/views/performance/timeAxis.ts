import { formatClock } from '../common/format'

/** Tick spacing by range span: a handful of round clock times, whatever the range. */
const TICK_STEPS_MS = [
  { spanMax: 10 * 60_000, step: 60_000 },
  { spanMax: 2 * 3_600_000, step: 10 * 60_000 },
  { spanMax: Infinity, step: 4 * 3_600_000 },
] as const

/** timeTicks gives the multiples of a round step that fall inside [startMs, endMs]. */
export function timeTicks(startMs: number, endMs: number): number[] {
  const { step } = TICK_STEPS_MS.find(({ spanMax }) => endMs - startMs <= spanMax)!
  const ticks: number[] = []
  for (let tick = Math.ceil(startMs / step) * step; tick <= endMs; tick += step) ticks.push(tick)
  return ticks
}

/**
 * timeAxisProps configures a time XAxis over the selected range. Explicit ticks keep labels
 * few and round; without them recharts may label every point.
 */
export function timeAxisProps(domain: readonly [number, number]) {
  return {
    dataKey: 't',
    type: 'number',
    domain: [domain[0], domain[1]],
    allowDataOverflow: true,
    ticks: timeTicks(domain[0], domain[1]),
    tickFormatter: (t: number) => formatClock(t),
  } as const
}
