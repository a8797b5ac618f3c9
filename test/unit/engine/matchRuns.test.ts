import { describe, expect, it } from 'vitest'
import type { MatchRun } from '../../../src/main/engine/matchRuns'
import { countAfter, runSize, sliceRange, takeFirst } from '../../../src/main/engine/matchRuns'

/** Every sequence the runs hold, ascending: what the functions must agree with. */
function expand(runs: readonly MatchRun[]): number[] {
  return runs.flatMap((run) =>
    Array.isArray(run)
      ? [...(run as readonly number[])]
      : Array.from({ length: runSize(run) }, (_, i) => (run as { first: number }).first + i),
  )
}

const RUNS: MatchRun[] = [[3, 5, 9], { first: 12, last: 20 }, [21, 30], { first: 40, last: 40 }]

describe('match runs', () => {
  it.each([null, 0, 3, 4, 9, 11, 12, 15, 20, 21, 25, 40, 41])(
    'count and take after cursor %s agree with the expanded sequences in both orders',
    (cursor) => {
      const all = expand(RUNS)
      for (const descending of [false, true]) {
        const after = all.filter((s) =>
          cursor === null ? true : descending ? s < cursor : s > cursor,
        )
        const ordered = descending ? [...after].reverse() : after
        expect(countAfter(RUNS, cursor, descending)).toBe(after.length)
        for (const count of [1, 2, 5, 100]) {
          expect(takeFirst(RUNS, cursor, descending, count)).toEqual(ordered.slice(0, count))
        }
      }
    },
  )

  it('slices a sorted list to an inclusive range', () => {
    expect(sliceRange([1, 4, 6, 9], 4, 8)).toEqual([4, 6])
    expect(sliceRange([1, 4, 6, 9], 10, 20)).toEqual([])
  })
})
