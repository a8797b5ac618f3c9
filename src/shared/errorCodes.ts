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
  'emergency_mode', // the SLA level is EMERGENCY or RECOVERING: appends refused, retry later
  'disk_full', // disk usage is above the block threshold; the message says how much to free
  'rate_limited', // a client sent more than its rate; retry after the given delay
  'not_found', // no such event, store handle, job, report or subscription
  'not_available', // the call does not exist in this host (e.g. browsing in browser mode)
  'unknown_method',
  'unauthorized', // no valid credentials
  'forbidden', // valid credentials without the needed scope
  'payload_too_large', // a body or message over its size limit, refused before parsing
  'job_running', // another job of the same kind already runs on this store
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
