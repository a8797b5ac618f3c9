/**
 * ERROR_CODES is the one list of error codes that cross a process or network boundary
 * (CLI JSON, IPC, HTTP). Callers switch on `code`, never on message text.
 */
export const ERROR_CODES = [
  'validation', // bad input: the message names the field and the limit
  'event_too_large',
  'batch_too_large',
  'not_a_store',
  'store_locked', // another process is the writer
  'read_only', // the store is open read-only
  'needs_recovery', // damage found; read-only until `recover`
  'store_failed', // an I/O error made the store read-only
  'store_closed',
  'overloaded', // the append queue is full; retry later
  'version_conflict', // an expected aggregate version did not hold; nothing was stored
  'idempotency_conflict', // a batch mixed keys already stored with new ones
  'corruption',
  'io_error',
  'internal',
] as const

export type ErrorCode = (typeof ERROR_CODES)[number]

/** ErrorBody is how an error travels: a code from ERROR_CODES and a sentence for a person. */
export interface ErrorBody {
  code: ErrorCode
  message: string
}
