import { describe, expect, it } from 'vitest'
import { candidateSequences } from '../../../src/main/engine/indexPlanner'
import { mulberry32 } from '../../support/random'

const SEED = Number(process.env.SEED ?? Date.now() % 2 ** 31)
console.log(
  `candidateSequences: SEED=${SEED} (replay: SEED=${SEED} npx vitest run test/unit/engine/indexPlanner.test.ts)`,
)

/** postingList draws an ascending list of distinct sequences in 1..200. */
function postingList(random: () => number): number[] {
  const list: number[] = []
  for (let sequence = 1; sequence <= 200; sequence++) if (random() < 0.15) list.push(sequence)
  return list
}

describe('candidateSequences', () => {
  it('intersects, across clauses, the union of each clause’s posting lists', () => {
    const random = mulberry32(SEED)
    for (let trial = 0; trial < 300; trial++) {
      const clauses = Array.from({ length: 1 + Math.floor(random() * 3) }, () =>
        Array.from({ length: 1 + Math.floor(random() * 7) }, () => postingList(random)),
      )
      const unions = clauses.map((lists) => new Set(lists.flat()))
      const want = [...unions[0]!]
        .filter((sequence) => unions.every((union) => union.has(sequence)))
        .sort((a, b) => a - b)
      expect(candidateSequences(clauses)).toEqual(want)
    }
  })

  it('has no candidates without postings', () => {
    expect(candidateSequences([])).toEqual([])
    expect(candidateSequences([[[]]])).toEqual([])
    expect(candidateSequences([[[1, 2]], []])).toEqual([])
  })
})
