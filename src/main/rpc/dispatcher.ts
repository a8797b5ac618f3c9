/**
 * The dispatcher is the one road from a transport to the StoreApi: method allow-list,
 * argument validation, the call, then the Result shape. It never rejects and never throws,
 * whatever a page or a socket sends, so a transport only has to deliver its answer.
 */
import { ValidationError } from '../engine/errors'
import type { ErrorBody } from '../../shared/errorCodes'
import type { Result, StoreApi, StoreApiMethod } from '../../shared/storeApi'
import { STORE_API_METHODS } from '../../shared/storeApi'
import { ARG_SCHEMAS } from './argSchemas'

/** Dispatch answers one call: `method` and `args` exactly as they arrived. */
export type Dispatch = (method: unknown, args: unknown) => Promise<Result<unknown>>

export interface DispatcherOptions {
  api: StoreApi
  /** Methods this transport does not offer; they answer `not_available`. */
  unavailable?: readonly StoreApiMethod[]
  /** Told about every exception the API threw; the caller only sees `internal`. */
  onInternalError?: (method: StoreApiMethod, error: unknown) => void
}

/** Longest method name quoted back in an `unknown_method` message. */
const METHOD_NAME_CHARS_QUOTED_MAX = 64

const allowedMethods: ReadonlySet<string> = new Set(STORE_API_METHODS)

/** isStoreApiMethod tells whether a value names a method of the contract. */
export function isStoreApiMethod(method: unknown): method is StoreApiMethod {
  return typeof method === 'string' && allowedMethods.has(method)
}

/** createDispatcher returns the Dispatch of one client's StoreApi. */
export function createDispatcher(options: DispatcherOptions): Dispatch {
  const unavailable: ReadonlySet<string> = new Set(options.unavailable ?? [])
  const onInternalError =
    options.onInternalError ??
    ((method, error) => console.error(`Lighthouse Store: ${method} failed:`, error))

  return async (method, args) => {
    if (!isStoreApiMethod(method)) return failure('unknown_method', unknownMethodMessage(method))
    if (unavailable.has(method)) {
      return failure(
        'not_available',
        `${method} is not available here: this host serves one store.`,
      )
    }
    try {
      const validArgs = ARG_SCHEMAS[method](args, 'args')
      const call = options.api[method] as (args?: unknown) => Promise<Result<unknown>>
      const result = await call.call(options.api, validArgs)
      if (isResult(result)) return result
      onInternalError(method, new Error(`${method} answered something that is not a Result`))
    } catch (error) {
      // Bad input, found by a schema or by the engine behind the API (its codes include
      // event_too_large); anything else thrown is a bug, which the caller sees as internal.
      if (error instanceof ValidationError) return failure(error.code, error.message)
      onInternalError(method, error)
    }
    return failure('internal', `${method} failed inside the store host; see the app's log.`)
  }
}

function failure(code: ErrorBody['code'], message: string): Result<never> {
  return { ok: false, error: { code, message } }
}

function unknownMethodMessage(method: unknown): string {
  if (typeof method !== 'string') return `The method name must be a string, got ${typeof method}.`
  const quoted =
    method.length > METHOD_NAME_CHARS_QUOTED_MAX
      ? `${method.slice(0, METHOD_NAME_CHARS_QUOTED_MAX)}…`
      : method
  return `There is no method ${JSON.stringify(quoted)}.`
}

function isResult(value: unknown): value is Result<unknown> {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { ok?: unknown }).ok === 'boolean'
  )
}
