/**
 * One WebSocket bridge connection: its own StoreApi client, its calls through the
 * dispatcher, its pushes. A frame that is not a call message ends the connection with a
 * close code, since there is no call id to answer; a well-formed call always gets one
 * result, even when the client has too many calls in flight (`overloaded`).
 */
import type { RawData, WebSocket } from 'ws'
import type { StoreApiMethod } from '../../shared/storeApi'
import type { ServerMessage } from '../../shared/wireProtocol'
import { BRIDGE_CALLS_IN_FLIGHT_MAX } from '../../shared/wireProtocol'
import { createDispatcher } from './dispatcher'
import type { ConnectStore, StoreClient } from './storeClient'
import { closeClient, connectionRefusal } from './storeClient'

/** A client whose unsent messages pass this is cut off rather than buffered without end. */
export const BRIDGE_SEND_BUFFER_BYTES_MAX = 64 * 1024 * 1024

/** WebSocket close codes (RFC 6455) the bridge ends a connection with. */
export const CLOSE_GOING_AWAY = 1001
export const CLOSE_UNSUPPORTED_DATA = 1003
export const CLOSE_INVALID_PAYLOAD = 1007
export const CLOSE_POLICY_VIOLATION = 1008
export const CLOSE_TRY_AGAIN_LATER = 1013
/** A close reason must fit in a control frame (125 bytes, 2 of them the code). */
const CLOSE_REASON_CHARS_MAX = 120

export interface ConnectionOptions {
  connect: ConnectStore
  unavailable: readonly StoreApiMethod[]
  onInternalError?: (method: StoreApiMethod, error: unknown) => void
}

/** serveConnection answers the calls of one open socket until it closes. */
export function serveConnection(ws: WebSocket, options: ConnectionOptions): void {
  /** send resolves once the message is written out, so pushes wait for a slow reader. */
  const send = (message: ServerMessage): Promise<void> => {
    if (ws.readyState !== ws.OPEN) return Promise.resolve()
    if (ws.bufferedAmount > BRIDGE_SEND_BUFFER_BYTES_MAX) {
      // The client stopped reading; a close frame would wait behind the same backlog.
      ws.terminate()
      return Promise.resolve()
    }
    return new Promise((resolve) => ws.send(JSON.stringify(message), () => resolve()))
  }
  let client: StoreClient
  try {
    client = options.connect((batch) => send({ kind: 'push', batch }))
  } catch (error) {
    ws.close(
      CLOSE_TRY_AGAIN_LATER,
      connectionRefusal(error).message.slice(0, CLOSE_REASON_CHARS_MAX),
    )
    return
  }
  const dispatch = createDispatcher({
    api: client,
    unavailable: options.unavailable,
    onInternalError: options.onInternalError,
  })
  const inFlight = new Set<number>()

  ws.on('message', (data: RawData, isBinary: boolean) => {
    if (isBinary) {
      ws.close(CLOSE_UNSUPPORTED_DATA, 'The bridge takes JSON text frames only.')
      return
    }
    const call = parseCall(textOf(data))
    if (typeof call === 'string') {
      ws.close(call === 'malformed' ? CLOSE_INVALID_PAYLOAD : CLOSE_POLICY_VIOLATION, reasons[call])
      return
    }
    if (inFlight.has(call.id)) {
      ws.close(CLOSE_POLICY_VIOLATION, reasons.duplicate)
      return
    }
    if (inFlight.size >= BRIDGE_CALLS_IN_FLIGHT_MAX) {
      const message = `At most ${BRIDGE_CALLS_IN_FLIGHT_MAX} calls may be in flight; wait for an answer.`
      void send({
        kind: 'result',
        id: call.id,
        result: { ok: false, error: { code: 'overloaded', message } },
      })
      return
    }
    inFlight.add(call.id)
    void dispatch(call.method, call.args).then((result) => {
      inFlight.delete(call.id)
      return send({ kind: 'result', id: call.id, result })
    })
  })
  // ws reports protocol errors (an oversized or non-UTF-8 frame) here and then closes.
  ws.on('error', () => undefined)
  ws.on('close', () => closeClient(client))
}

type Refusal = 'malformed' | 'not_a_call' | 'duplicate'

const reasons: Record<Refusal, string> = {
  malformed: 'The message is not valid JSON.',
  not_a_call: 'The message is not a call: {kind:"call", id, method, args}.',
  duplicate: 'A call id was reused while its call was in flight.',
}

/** A call as received: the dispatcher checks the method and its arguments. */
interface ReceivedCall {
  id: number
  method: unknown
  args: unknown
}

function textOf(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8')
  return Buffer.isBuffer(data) ? data.toString('utf8') : Buffer.from(data).toString('utf8')
}

function parseCall(text: string): ReceivedCall | 'malformed' | 'not_a_call' {
  let message: unknown
  try {
    message = JSON.parse(text)
  } catch {
    return 'malformed'
  }
  if (typeof message !== 'object' || message === null) return 'not_a_call'
  const { kind, id, method, args } = message as Record<string, unknown>
  if (kind !== 'call' || typeof id !== 'number' || !Number.isSafeInteger(id) || id < 0) {
    return 'not_a_call'
  }
  return { id, method, args }
}
