/** Statistics shared by the benchmarks: percentiles of samples and spreads of repetitions. */

/** percentile is the p-th percentile (0..100) of ascending `sorted`, nearest rank below. */
export function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN
}

/** median of `values` in any order (the upper one of an even count). */
export function median(values: readonly number[]): number {
  return percentile(
    [...values].sort((a, b) => a - b),
    50,
  )
}

/** Spread is what several repetitions of one figure say: their median, least and largest. */
export interface Spread {
  median: number
  min: number
  max: number
}

export function spread(values: readonly number[]): Spread {
  return { median: median(values), min: Math.min(...values), max: Math.max(...values) }
}

/** LatencyFigures are the percentiles of one run's latencies, in milliseconds. */
export interface LatencyFigures {
  p50Ms: number
  p95Ms: number
  p99Ms: number
  p999Ms: number
}

export function latencyFigures(latenciesMs: number[]): LatencyFigures {
  const sorted = [...latenciesMs].sort((a, b) => a - b)
  return {
    p50Ms: percentile(sorted, 50),
    p95Ms: percentile(sorted, 95),
    p99Ms: percentile(sorted, 99),
    p999Ms: percentile(sorted, 99.9),
  }
}
