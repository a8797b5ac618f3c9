import type { ErrorBody } from '../../shared/errorCodes'
import type { Result } from '../../shared/storeApi'
import { StoreError } from '../engine/errors'

/**
 * Every StoreApi call resolves to a Result and never rejects: the engine's coded errors
 * (StoreError, ValidationError, CorruptionError) cross as their code and sentence; an
 * operating-system error crosses as `io_error`; anything else is a bug, logged in full
 * here and shown to the client as `internal` with a sentence that leaks no internals.
 */

/** HostLog receives what the host wants an operator to see: warnings and unexpected errors. */
export type HostLog = (message: string, error?: unknown) => void

export const consoleLog: HostLog = (message, error) => {
  if (error === undefined) console.warn(`[host] ${message}`)
  else console.warn(`[host] ${message}`, error)
}

/** attempt runs one call and turns its outcome into a Result. */
export async function attempt<T>(
  what: string,
  log: HostLog,
  run: () => Promise<T> | T,
): Promise<Result<T>> {
  try {
    return { ok: true, value: await run() }
  } catch (error) {
    return { ok: false, error: errorBodyOf(what, log, error) }
  }
}

/** errorBodyOf maps an error to what a client may see; unknown errors are logged here. */
export function errorBodyOf(what: string, log: HostLog, error: unknown): ErrorBody {
  if (error instanceof StoreError) return { code: error.code, message: error.message }
  if (isSystemError(error)) {
    return { code: 'io_error', message: `Could not ${what}: ${error.message}` }
  }
  log(`${what} failed unexpectedly`, error)
  return {
    code: 'internal',
    message: `The host failed to ${what} because of an internal error; the details are in its log.`,
  }
}

/** notFound is the error for a handle, job, report or subscription the host does not know. */
export function notFound(what: string): StoreError {
  return new StoreError('not_found', `There is no ${what}; it may have been closed or forgotten.`)
}

function isSystemError(error: unknown): error is Error & { code: string; syscall: string } {
  return (
    error instanceof Error &&
    typeof (error as { code?: unknown }).code === 'string' &&
    typeof (error as { syscall?: unknown }).syscall === 'string'
  )
}
