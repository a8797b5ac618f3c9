import type { ErrorCode } from '../../shared/errorCodes'

/**
 * StoreError is every operating error the engine raises: it carries a `code` from the
 * shared list so it survives serialization, and a sentence a person can act on.
 */
export class StoreError extends Error {
  readonly code: ErrorCode
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'StoreError'
    this.code = code
  }
}

/** ValidationError is bad input: it names the field and, where one applies, the limit. */
export class ValidationError extends StoreError {
  readonly field: string
  constructor(field: string, message: string, code: ErrorCode = 'validation') {
    super(code, `${field} ${message}`)
    this.name = 'ValidationError'
    this.field = field
  }
}

/** CorruptionError is damage found in a stored file, with the byte offset where it starts. */
export class CorruptionError extends StoreError {
  readonly segment: string
  readonly offset: number
  readonly reason: string
  constructor(segment: string, offset: number, reason: string) {
    super('corruption', `${segment} is damaged at byte ${offset}: ${reason}`)
    this.name = 'CorruptionError'
    this.segment = segment
    this.offset = offset
    this.reason = reason
  }
}

/** StoreLockedError says which process holds the writer lock. */
export class StoreLockedError extends StoreError {
  readonly holder: LockHolder
  constructor(dir: string, holder: LockHolder) {
    super(
      'store_locked',
      `The store at ${dir} is held by another writer (pid ${holder.pid} on ${holder.host}, since ${holder.since}). ` +
        'Stop that process, or open the store read-only.',
    )
    this.name = 'StoreLockedError'
    this.holder = holder
  }
}

export interface LockHolder {
  pid: number
  host: string
  since: string
}

/** assert states an invariant; a failure is a bug in this program, never bad input. */
export function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(`invariant violated: ${message}`)
}

/** ioError wraps an operating-system error with what the store was doing. */
export function ioError(doing: string, cause: unknown): StoreError {
  const detail = cause instanceof Error ? cause.message : String(cause)
  return new StoreError('io_error', `Could not ${doing}: ${detail}`, { cause })
}
