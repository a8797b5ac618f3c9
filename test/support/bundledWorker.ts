import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { build } from 'rolldown'
import { afterAll, beforeAll } from 'vitest'

/**
 * useBundledWorker bundles a worker entry from its TypeScript source before the file's
 * tests (as electron-vite would), so they run this tree's worker code rather than whatever
 * out/ holds, and returns the built file's path once it exists. `source` is relative to
 * src/main; `file` is the name the host looks for.
 */
export function useBundledWorker(source: string, file: string): () => string {
  let dir = ''
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'lhs-worker-'))
    await build({
      input: join(import.meta.dirname, '../../src/main', source),
      platform: 'node',
      output: { file: join(dir, file), format: 'cjs' },
      logLevel: 'silent',
    })
  })
  afterAll(() => rmSync(dir, { recursive: true, force: true }))
  return () => join(dir, file)
}
