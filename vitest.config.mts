import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    environment: 'node',
    // Forks, not threads: engine tests fsync, hold file locks and may crash child processes.
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // The summary reporter prints `N passed, N failed, N skipped` last; CI parses that line.
    reporters: ['default', './test/support/summaryReporter.ts'],
  },
})
