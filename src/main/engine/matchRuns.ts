/**
 * A MatchRun is a set of matching sequences known from an index without reading events:
 * every sequence from `first` to `last`, or exactly those listed (ascending). Runs of one
 * segment are ascending and disjoint, so counting and taking the first few in sequence
 * order need no event at all.
 */
export type MatchRun = { first: number; last: number } | readonly number[]

/** runSize is how many sequences a run holds. */
export function runSize(run: MatchRun): number {
  return isRange(run) ? run.last - run.first + 1 : run.length
}

/**
 * countAfter is how many sequences of the runs come strictly after `cursor` in the order
 * (greater when ascending, smaller when descending); all of them without a cursor.
 */
export function countAfter(
  runs: readonly MatchRun[],
  cursor: number | null,
  descending: boolean,
): number {
  let count = 0
  for (const run of runs) {
    if (cursor === null) count += runSize(run)
    else if (isRange(run)) {
      const from = descending ? run.first : Math.max(run.first, cursor + 1)
      const to = descending ? Math.min(run.last, cursor - 1) : run.last
      count += Math.max(0, to - from + 1)
    } else {
      const split = firstAtLeast(run, descending ? cursor : cursor + 1)
      count += descending ? split : run.length - split
    }
  }
  return count
}

/**
 * takeFirst returns up to `count` sequences of the runs that come first in the order after
 * `cursor`, in that order.
 */
export function takeFirst(
  runs: readonly MatchRun[],
  cursor: number | null,
  descending: boolean,
  count: number,
): number[] {
  const out: number[] = []
  const ordered = descending ? [...runs].reverse() : runs
  for (const run of ordered) {
    const want = count - out.length
    if (want <= 0) break
    if (isRange(run)) {
      if (descending) {
        const to = cursor === null ? run.last : Math.min(run.last, cursor - 1)
        for (let s = to; s >= Math.max(run.first, to - want + 1); s--) out.push(s)
      } else {
        const from = cursor === null ? run.first : Math.max(run.first, cursor + 1)
        for (let s = from; s <= Math.min(run.last, from + want - 1); s++) out.push(s)
      }
    } else if (descending) {
      const end = cursor === null ? run.length : firstAtLeast(run, cursor)
      for (let i = end - 1; i >= Math.max(0, end - want); i--) out.push(run[i]!)
    } else {
      const start = cursor === null ? 0 : firstAtLeast(run, cursor + 1)
      for (let i = start; i < Math.min(run.length, start + want); i++) out.push(run[i]!)
    }
  }
  return out
}

/** sliceRange is the part of an ascending list from `from` to `to`, inclusive. */
export function sliceRange(sequences: readonly number[], from: number, to: number): number[] {
  return sequences.slice(firstAtLeast(sequences, from), firstAtLeast(sequences, to + 1))
}

function isRange(run: MatchRun): run is { first: number; last: number } {
  return !Array.isArray(run)
}

/** firstAtLeast is the index of the first element >= value (binary search). */
export function firstAtLeast(sequences: readonly number[], value: number): number {
  let low = 0
  let high = sequences.length
  while (low < high) {
    const middle = (low + high) >> 1
    if (sequences[middle]! < value) low = middle + 1
    else high = middle
  }
  return low
}
