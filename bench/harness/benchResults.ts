import type { Spread } from '../stats'
import { spread } from '../stats'

/** Which way a figure improves. */
export type Better = 'higher' | 'lower'

/** A Figure is one metric of one contender in one group: a sample per repetition. */
export interface Figure {
  group: string
  contender: string
  metric: string
  unit: string
  better: Better
  samples: number[]
}

/** A Comparison is a ratio of two figures computed repetition by repetition, with its goal. */
export interface Comparison {
  label: string
  ratio: Spread
  /** The least ratio that meets the goal, or null when it is shown for orientation only. */
  goalMin: number | null
}

/**
 * BenchResults collects every sample of a run. A figure's samples are indexed by
 * repetition, so two figures of one group pair up sample by sample.
 */
export class BenchResults {
  readonly figures: Figure[] = []
  readonly comparisons: Comparison[] = []
  readonly failures: string[] = []
  readonly notes: string[] = []

  add(
    at: Omit<Figure, 'samples' | 'better' | 'unit'> & { unit: string; better?: Better },
    value: number,
  ): void {
    const found = this.find(at.group, at.contender, at.metric)
    if (found) found.samples.push(value)
    else this.figures.push({ better: 'higher', ...at, samples: [value] })
  }

  find(group: string, contender: string, metric: string): Figure | undefined {
    return this.figures.find(
      (f) => f.group === group && f.contender === contender && f.metric === metric,
    )
  }

  /** median of a figure, or NaN when it was not measured. */
  median(group: string, contender: string, metric: string): number {
    const figure = this.find(group, contender, metric)
    return figure ? spread(figure.samples).median : Number.NaN
  }

  /**
   * compare records a/b pair by pair (for figures where lower is better, b/a: a speedup),
   * so a ratio above 1 always means `a` did better. Unmeasured figures are skipped.
   */
  compare(label: string, a: Figure | undefined, b: Figure | undefined, goalMin: number | null) {
    if (!a || !b) return
    const count = Math.min(a.samples.length, b.samples.length)
    const ratios = Array.from({ length: count }, (_, i) =>
      a.better === 'higher' ? a.samples[i]! / b.samples[i]! : b.samples[i]! / a.samples[i]!,
    )
    this.comparisons.push({ label, ratio: spread(ratios), goalMin })
  }
}
