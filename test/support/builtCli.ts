import type { ChildProcessWithoutNullStreams } from 'node:child_process'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll } from 'vitest'

/** The CLI as `npm run build` leaves it (`npm test` builds before it runs vitest). */
export const BUILT_CLI = fileURLToPath(new URL('../../out/main/cli.js', import.meta.url))

/**
 * useBuiltCli fails the test file at once when the CLI is not built, and returns the set in
 * which the file tracks its child processes: whatever is left there is killed afterwards.
 */
export function useBuiltCli(): Set<ChildProcessWithoutNullStreams> {
  const children = new Set<ChildProcessWithoutNullStreams>()
  beforeAll(() => {
    if (!existsSync(BUILT_CLI)) {
      throw new Error(
        `${BUILT_CLI} is missing: run \`npm run build\` first (\`npm test\` builds it).`,
      )
    }
  })
  afterAll(() => {
    for (const child of children) child.kill('SIGKILL')
  })
  return children
}
