// A small bridge client for the WebSocket tests: numbered calls, received pushes, and how
// the server closed or refused the connection.
import WebSocket from 'ws'
import type { PushEvent } from '../../../src/shared/push'
import type { Result } from '../../../src/shared/storeApi'
import type { ServerMessage } from '../../../src/shared/wireProtocol'
import { BRIDGE_PATH } from '../../../src/shared/wireProtocol'

export interface BridgeClient {
  ws: WebSocket
  pushes: PushEvent[]
  call(method: string, args?: unknown): Promise<Result<unknown>>
  /** The next message's result for `id`, for calls sent raw with ws.send. */
  result(id: number): Promise<Result<unknown>>
  closed: Promise<{ code: number; reason: string }>
}

export interface ConnectOptions {
  token?: string
  headers?: Record<string, string>
}

export function bridgeUrl(port: number, token?: string): string {
  const query = token === undefined ? '' : `?token=${encodeURIComponent(token)}`
  return `ws://127.0.0.1:${port}${BRIDGE_PATH}${query}`
}

/** connectClient resolves once the connection is open, or rejects with the refusal status. */
export function connectClient(port: number, options: ConnectOptions = {}): Promise<BridgeClient> {
  const ws = new WebSocket(bridgeUrl(port, options.token), { headers: options.headers })
  const pushes: PushEvent[] = []
  const waiting = new Map<number, (result: Result<unknown>) => void>()
  let nextId = 1
  ws.on('message', (data: Buffer) => {
    const message = JSON.parse(data.toString('utf8')) as ServerMessage
    if (message.kind === 'push') pushes.push(...message.batch)
    else waiting.get(message.id)?.(message.result)
  })
  const closed = new Promise<{ code: number; reason: string }>((resolve) => {
    ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() }))
  })
  const result = (id: number) => new Promise<Result<unknown>>((resolve) => waiting.set(id, resolve))
  const client: BridgeClient = {
    ws,
    pushes,
    closed,
    result,
    call: (method, args) => {
      const id = nextId++
      const answer = result(id)
      ws.send(JSON.stringify({ kind: 'call', id, method, args }))
      return answer
    },
  }
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(client))
    ws.once('unexpected-response', (_request, response) => {
      reject(new Error(`refused with ${response.statusCode}`))
      ws.terminate()
    })
    ws.once('error', reject)
  })
}
