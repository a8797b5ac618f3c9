/**
 * The store directory named on the command line (`lighthouse-store-app DIR`), for the
 * first launch and for a second launch that hands its arguments to the running app.
 */
import { resolve } from 'node:path'
import { PATH_CHARS_MAX } from '../rpc/argSchemas'

export interface LaunchContext {
  /** An unpackaged app runs as `electron APP_DIR ...`, so its arguments start one later. */
  packaged: boolean
  /** Relative paths are relative to the launching process's directory. */
  workingDirectory: string
}

/**
 * storePathArgument returns the last plain argument as an absolute path, or null. Flags
 * (Chromium adds some of its own to a second instance's argv) are skipped.
 */
export function storePathArgument(argv: readonly string[], context: LaunchContext): string | null {
  const plain = argv
    .slice(context.packaged ? 1 : 2)
    .filter((argument) => !argument.startsWith('-') && argument.length <= PATH_CHARS_MAX)
  const path = plain.at(-1)
  return path === undefined || path === '' ? null : resolve(context.workingDirectory, path)
}
