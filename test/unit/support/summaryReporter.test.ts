import { describe, expect, it } from 'vitest'
import type { ReportedModule } from '../../support/summaryReporter'
import { countResults, formatSummaryLine } from '../../support/summaryReporter'

function module(states: string[], errors: unknown[] = []): ReportedModule {
  return {
    errors: () => errors,
    children: { allTests: () => states.map((state) => ({ result: () => ({ state }) })) },
  }
}

describe('summary reporter', () => {
  it('prints exactly "N passed, N failed, N skipped"', () => {
    expect(formatSummaryLine({ passed: 12, failed: 0, skipped: 3 })).toBe(
      '12 passed, 0 failed, 3 skipped',
    )
  })

  it('counts tests by outcome across files', () => {
    const counts = countResults(
      [module(['passed', 'passed', 'skipped']), module(['failed', 'passed'])],
      0,
    )
    expect(counts).toEqual({ passed: 3, failed: 1, skipped: 1 })
  })

  it('counts tests that never finished as skipped', () => {
    expect(countResults([module(['pending', 'passed'])], 0)).toEqual({
      passed: 1,
      failed: 0,
      skipped: 1,
    })
  })

  it('counts a test file that could not be loaded as one failure', () => {
    const brokenFile = module([], [new SyntaxError('Unexpected token')])
    expect(countResults([brokenFile], 0)).toEqual({ passed: 0, failed: 1, skipped: 0 })
  })

  it('does not count a file error twice when its tests already failed', () => {
    const failingFile = module(['failed', 'failed'], [new Error('afterAll threw')])
    expect(countResults([failingFile], 0).failed).toBe(2)
  })

  it('counts each error thrown outside any test as a failure', () => {
    expect(countResults([module(['passed'])], 2)).toEqual({ passed: 1, failed: 2, skipped: 0 })
  })
})
