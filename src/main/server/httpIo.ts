import type { IncomingMessage, ServerResponse } from 'node:http'
import type { ErrorBody, ErrorCode } from '../../shared/errorCodes'
import type { Result } from '../../shared/storeApi'
import { StoreError } from '../engine/errors'

/**
 * Reading requests and writing JSON answers. Bodies are bounded before they are parsed:
 * a Content-Length over the limit is refused without reading, and a chunked body is cut
 * off the moment it passes the limit.
 */

/** Largest request body: a full batch (10 MiB encoded) plus JSON's overhead. */
export const HTTP_BODY_BYTES_MAX = 11 * 1024 * 1024
/** Seconds a client is told to wait after 429 or 503. */
export const RETRY_AFTER_SECONDS = 1

/** HttpError is an answer decided while handling a request. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: ErrorBody,
    readonly headers: Record<string, string> = {},
  ) {
    super(body.message)
  }
}

export function httpError(status: number, code: ErrorCode, message: string): HttpError {
  return new HttpError(status, { code, message })
}

const STATUS_BY_CODE: Partial<Record<ErrorCode, number>> = {
  validation: 400,
  unknown_method: 400,
  unauthorized: 401,
  forbidden: 403,
  read_only: 403,
  not_found: 404,
  not_available: 404,
  version_conflict: 409,
  idempotency_conflict: 409,
  job_running: 409,
  event_too_large: 413,
  batch_too_large: 413,
  payload_too_large: 413,
  overloaded: 429,
  rate_limited: 429,
  emergency_mode: 503,
  disk_full: 503,
  needs_recovery: 503,
  store_failed: 503,
  store_closed: 503,
  store_locked: 503,
}

/** statusFor maps an error code to its HTTP status (500 for anything unexpected). */
export function statusFor(code: ErrorCode): number {
  return STATUS_BY_CODE[code] ?? 500
}

/**
 * answerFor turns a coded error (from the engine or a host Result) into its answer: the
 * status of its code, and Retry-After on 429 and 503, which are always worth a retry.
 */
export function answerFor(body: ErrorBody): HttpError {
  const status = statusFor(body.code)
  const retry: Record<string, string> =
    status === 429 || status === 503 ? { 'retry-after': `${RETRY_AFTER_SECONDS}` } : {}
  return new HttpError(status, { code: body.code, message: body.message }, retry)
}

/** toHttpError turns whatever a handler threw into an answer; internal details stay inside. */
export function toHttpError(error: unknown): HttpError {
  if (error instanceof HttpError) return error
  if (error instanceof StoreError) return answerFor(error)
  return httpError(500, 'internal', 'The server could not complete the request; see its log.')
}

/** valueOf unwraps a host Result, throwing its error as the matching answer. */
export function valueOf<T>(result: Result<T>): T {
  if (result.ok) return result.value
  throw answerFor(result.error)
}

/**
 * readBody reads the whole body, refusing more than `limit` bytes with 413. A body over the
 * limit is not read further: the request is destroyed, and with it the connection. Listeners
 * rather than an async iterator, and left in place once settled (the request is done with
 * then): this runs for every request, and the iterator's promises, or removing listeners
 * from a stream, cost more than the read itself.
 */
export function readBody(request: IncomingMessage, limit = HTTP_BODY_BYTES_MAX): Promise<Buffer> {
  const declared = request.headers['content-length']
  if (declared !== undefined && Number(declared) > limit) {
    return Promise.reject(tooLarge(Number(declared), limit))
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    let settled = false
    const fail = (error: Error): void => {
      if (settled) return
      settled = true
      reject(error)
    }
    request.on('data', (chunk: Buffer) => {
      if (settled) return
      size += chunk.length
      chunks.push(chunk)
      if (size > limit) {
        fail(tooLarge(size, limit))
        request.destroy()
      }
    })
    request.on('end', () => {
      if (settled) return
      settled = true
      resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size))
    })
    // A client that leaves mid-body is no fault of the server's: a 400 (never delivered),
    // not a 500 reported to the operator. 'close' follows every 'end': build no error then.
    const cut = (): void => {
      if (!settled)
        fail(httpError(400, 'validation', 'body: the connection ended before the whole body'))
    }
    request.on('error', cut)
    request.on('close', cut)
  })
}

function tooLarge(size: number, limit: number): HttpError {
  return httpError(
    413,
    'payload_too_large',
    `The request body is ${size} bytes or more, over HTTP_BODY_BYTES_MAX ${limit}`,
  )
}

/** One decoder for every body: `decode` without `stream` starts afresh each call. */
const UTF8 = new TextDecoder('utf-8', { fatal: true })

/** readJson reads a JSON body; malformed JSON or invalid UTF-8 is a 400 naming the body. */
export async function readJson(request: IncomingMessage): Promise<unknown> {
  const type = request.headers['content-type'] ?? ''
  if (!/^application\/json\b/i.test(type)) {
    throw httpError(400, 'validation', 'body: send JSON with Content-Type: application/json')
  }
  const body = await readBody(request)
  let text: string
  try {
    text = UTF8.decode(body)
  } catch {
    throw httpError(400, 'validation', 'body: not valid UTF-8')
  }
  try {
    return JSON.parse(text) as unknown
  } catch (error) {
    const detail = error instanceof Error ? error.message : 'parse error'
    throw httpError(400, 'validation', `body: not valid JSON (${detail})`)
  }
}

export function sendJson(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body)
  response.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
    ...headers,
  })
  response.end(text)
}

export function sendError(response: ServerResponse, error: HttpError): void {
  if (response.headersSent) {
    response.destroy()
    return
  }
  sendJson(response, error.status, error.body, error.headers)
}
