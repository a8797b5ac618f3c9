// @vitest-environment jsdom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { CallMessage } from '../../../src/shared/wireProtocol'
import { bridgeUrl } from '../../../src/renderer/src/api/bridgeUrl'
import {
  RECONNECT_DELAY_MS_MAX,
  RECONNECT_DELAY_MS_MIN,
  createWsClient,
} from '../../../src/renderer/src/api/wsClient'
import type { WebSocketLike } from '../../../src/renderer/src/api/wsClient'

/** FakeSocket records what the client sends; the test opens, answers and closes it. */
class FakeSocket implements WebSocketLike {
  sent: CallMessage[] = []
  onopen: WebSocketLike['onopen'] = null
  onclose: WebSocketLike['onclose'] = null
  onmessage: WebSocketLike['onmessage'] = null
  onerror: WebSocketLike['onerror'] = null
  constructor(readonly url: string) {}
  send(data: string) {
    this.sent.push(JSON.parse(data) as CallMessage)
  }
  close() {
    this.onclose?.(new CloseEvent('close'))
  }
  open() {
    this.onopen?.(new Event('open'))
  }
  receive(message: unknown) {
    this.onmessage?.(new MessageEvent('message', { data: JSON.stringify(message) }))
  }
}

let sockets: FakeSocket[]
const latest = () => sockets.at(-1) as FakeSocket

function connect() {
  return createWsClient({
    url: 'ws://127.0.0.1:8080/bridge',
    createSocket: (url) => {
      const socket = new FakeSocket(url)
      sockets.push(socket)
      return socket
    },
  })
}

beforeEach(() => {
  sockets = []
  vi.useFakeTimers()
})
afterEach(() => {
  vi.useRealTimers()
})

describe('WebSocket client', () => {
  it('sends numbered calls and matches results by id, whatever their order', async () => {
    const client = connect()
    latest().open()
    const summary = client.api.summary({ handle: 'h1' })
    const open = client.api.listOpen()
    const [first, second] = latest().sent
    expect(first).toEqual({ kind: 'call', id: 1, method: 'summary', args: { handle: 'h1' } })
    expect(second).toEqual({ kind: 'call', id: 2, method: 'listOpen' })
    latest().receive({ kind: 'result', id: 2, result: { ok: true, value: [] } })
    latest().receive({
      kind: 'result',
      id: 1,
      result: { ok: false, error: { code: 'not_found', message: 'gone' } },
    })
    await expect(open).resolves.toEqual({ ok: true, value: [] })
    await expect(summary).resolves.toEqual({
      ok: false,
      error: { code: 'not_found', message: 'gone' },
    })
  })

  it('holds calls made before the first connection and sends them once it opens', async () => {
    const client = connect()
    expect(client.state()).toBe('connecting')
    const call = client.api.listOpen()
    expect(latest().sent).toEqual([])
    latest().open()
    expect(latest().sent.map((message) => message.method)).toEqual(['listOpen'])
    latest().receive({ kind: 'result', id: 1, result: { ok: true, value: [] } })
    await expect(call).resolves.toEqual({ ok: true, value: [] })
  })

  it('hands push batches to every listener until it stops listening', () => {
    const client = connect()
    latest().open()
    const received: unknown[] = []
    const stop = client.onPush((batch) => received.push(batch))
    const batch = [{ type: 'menu', command: 'verify' }]
    latest().receive({ kind: 'push', batch })
    stop()
    latest().receive({ kind: 'push', batch })
    expect(received).toEqual([batch])
  })

  it('answers calls in flight with store_closed when the link drops, and fails new calls until it is back', async () => {
    const client = connect()
    latest().open()
    const inFlight = client.api.listOpen()
    latest().close()
    await expect(inFlight).resolves.toMatchObject({ ok: false, error: { code: 'store_closed' } })
    expect(client.state()).toBe('reconnecting')
    await expect(client.api.listOpen()).resolves.toMatchObject({
      ok: false,
      error: { code: 'store_closed' },
    })
  })

  it('reconnects with doubling delays up to the maximum and reports each state', () => {
    const client = connect()
    const states: string[] = []
    client.onState((state) => states.push(state))
    latest().close()
    const delays: number[] = []
    for (let attempt = 0; attempt < 8; attempt += 1) {
      const before = sockets.length
      let waited = 0
      while (sockets.length === before) {
        vi.advanceTimersByTime(RECONNECT_DELAY_MS_MIN)
        waited += RECONNECT_DELAY_MS_MIN
      }
      delays.push(waited)
      latest().close()
    }
    expect(delays.slice(0, 4)).toEqual([250, 500, 1000, 2000])
    expect(Math.max(...delays)).toBe(RECONNECT_DELAY_MS_MAX)
    vi.advanceTimersByTime(RECONNECT_DELAY_MS_MAX)
    latest().open()
    expect(client.state()).toBe('open')
    expect(states).toEqual(['reconnecting', 'open'])
  })

  it('stops reconnecting once closed', () => {
    const client = connect()
    latest().open()
    client.close()
    vi.advanceTimersByTime(RECONNECT_DELAY_MS_MAX * 2)
    expect(sockets).toHaveLength(1)
  })

  it('ignores a message it does not understand', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {})
    const client = connect()
    latest().open()
    const received: unknown[] = []
    client.onPush((batch) => received.push(batch))
    latest().onmessage?.(new MessageEvent('message', { data: '{not json' }))
    expect(received).toEqual([])
    expect(warn).toHaveBeenCalledOnce()
    warn.mockRestore()
  })
})

describe('bridgeUrl', () => {
  it.each([
    [{ protocol: 'http:', host: '127.0.0.1:8080', search: '' }, 'ws://127.0.0.1:8080/bridge'],
    [{ protocol: 'https:', host: 'store.example', search: '' }, 'wss://store.example/bridge'],
    [
      { protocol: 'http:', host: 'localhost:9', search: '?token=a%2Bb' },
      'ws://localhost:9/bridge?token=a%2Bb',
    ],
  ])('builds the bridge address from the page location %o', (location, url) => {
    expect(bridgeUrl(location)).toBe(url)
  })
})
