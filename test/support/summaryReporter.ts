// CI reads the last line of this reporter's output, `N passed, N failed, N skipped`, so its
// shape never changes. A test file that cannot even be loaded counts as one failure (its
// tests never ran), and so does each error thrown outside any test.
import type { Reporter } from 'vitest/node'

/** ReportedModule is the part of vitest's TestModule that the summary reads. */
export interface ReportedModule {
  errors(): ReadonlyArray<unknown>
  children: { allTests(): Iterable<{ result(): { state: string } }> }
}

/** SummaryCounts are the numbers on the summary line. */
export interface SummaryCounts {
  passed: number
  failed: number
  skipped: number
}

/** countResults tallies tests by outcome; tests that never finished count as skipped. */
export function countResults(
  modules: ReadonlyArray<ReportedModule>,
  unhandledErrorCount: number,
): SummaryCounts {
  const counts: SummaryCounts = { passed: 0, failed: unhandledErrorCount, skipped: 0 }
  for (const module of modules) {
    let moduleFailures = 0
    for (const test of module.children.allTests()) {
      const state = test.result().state
      if (state === 'passed') counts.passed += 1
      else if (state === 'failed') moduleFailures += 1
      else counts.skipped += 1
    }
    if (moduleFailures === 0 && module.errors().length > 0) moduleFailures = 1
    counts.failed += moduleFailures
  }
  return counts
}

/** formatSummaryLine renders the line CI parses. */
export function formatSummaryLine(counts: SummaryCounts): string {
  return `${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped`
}

/** SummaryReporter prints the summary line after vitest's own report. */
export default class SummaryReporter implements Reporter {
  onTestRunEnd: NonNullable<Reporter['onTestRunEnd']> = (modules, unhandledErrors) => {
    const line = formatSummaryLine(countResults(modules, unhandledErrors.length))
    process.stdout.write(`\n${line}\n`)
  }
}
