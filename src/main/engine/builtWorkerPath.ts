import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { StoreError } from './errors'

/**
 * builtWorkerPath finds a worker entry (verification, recovery, index rebuild) as the build
 * leaves it (electron.vite.config.ts lists each as an entry of out/main/): next to the
 * running bundle, one level up when this code was bundled into out/main/chunks/, or in
 * out/main/ when running from the TypeScript sources (tests). A path given by the caller
 * is only checked.
 */
export function builtWorkerPath(file: string, given?: string): string {
  const candidates = given
    ? [given]
    : [
        join(__dirname, file),
        join(__dirname, '..', file),
        join(__dirname, '..', '..', '..', 'out', 'main', file),
      ]
  const found = candidates.find((path) => existsSync(path))
  if (found) return found
  throw new StoreError(
    'internal',
    `The worker ${file} is missing (looked for ${candidates.join(', ')}): run \`npm run build\`.`,
  )
}
