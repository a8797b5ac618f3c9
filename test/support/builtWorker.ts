import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

/**
 * builtVerifyWorker is the verification worker as `npm run build` leaves it. Worker threads
 * load plain JavaScript from a file, so tests of the verification job use the built entry
 * (`npm test` builds before it runs vitest).
 */
export function builtVerifyWorker(): string {
  const path = fileURLToPath(new URL('../../out/main/verify-worker.js', import.meta.url))
  if (!existsSync(path)) {
    throw new Error(`${path} is missing: run \`npm run build\` before these tests.`)
  }
  return path
}
