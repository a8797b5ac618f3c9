import { createServer } from 'node:http'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { EventStore } from '../../../src/main/engine/eventStore'
import { StoreHost } from '../../../src/main/host/storeHost'
import { BRIDGE_TOKEN_COOKIE, createTokenAuthorizer } from '../../../src/main/rpc/bridgeToken'
import type { WsBridge, WsBridgeOptions } from '../../../src/main/rpc/ws'
import { startWsBridge } from '../../../src/main/rpc/ws'
import {
  CLOSE_INVALID_PAYLOAD,
  CLOSE_POLICY_VIOLATION,
  CLOSE_UNSUPPORTED_DATA,
} from '../../../src/main/rpc/wsConnection'
import type { StoreSummary } from '../../../src/shared/storeApi'
import { BROWSING_METHODS } from '../../../src/shared/storeApi'
import {
  BRIDGE_CALLS_IN_FLIGHT_MAX,
  BRIDGE_MESSAGE_BYTES_MAX,
} from '../../../src/shared/wireProtocol'
import { tempDir } from '../../support/tempDir'
import { fakeHost, VALID_ARGS } from './fakeStoreApi'
import { connectClient } from './wsClient'

const TOKEN = 'test-token-0123456789'
const CLOSE_MESSAGE_TOO_BIG = 1009

const running: WsBridge[] = []
afterEach(async () => {
  await Promise.all(running.splice(0).map((bridge) => bridge.close()))
})

async function bridgeWithFakeHost(options: Partial<WsBridgeOptions> = {}) {
  const host = fakeHost()
  const bridge = await startWsBridge({
    connect: host.connect,
    authorize: createTokenAuthorizer(TOKEN).authorize,
    ...options,
  })
  running.push(bridge)
  return { host, bridge, port: bridge.port }
}

describe('WebSocket bridge admission', () => {
  it('answers calls from a client with the token', async () => {
    const { port, host } = await bridgeWithFakeHost()
    const client = await connectClient(port, { token: TOKEN })

    await expect(client.call('summary', VALID_ARGS.summary)).resolves.toEqual({
      ok: true,
      value: 'summary',
    })
    expect(host.clients[0]?.client.summary).toHaveBeenCalledExactlyOnceWith(VALID_ARGS.summary)
  })

  it('accepts the token from the cookie', async () => {
    const { port } = await bridgeWithFakeHost()
    const client = await connectClient(port, {
      headers: { Cookie: `a=b; ${BRIDGE_TOKEN_COOKIE}=${TOKEN}` },
    })
    await expect(client.call('listOpen')).resolves.toMatchObject({ ok: true })
  })

  it.each([
    ['without a token', {}],
    ['with a wrong token', { token: 'wrong' }],
    ['with a token one character short', { token: TOKEN.slice(0, -1) }],
  ])('refuses a client %s with 401 and never connects it to the host', async (_name, options) => {
    const { port, host } = await bridgeWithFakeHost()
    await expect(connectClient(port, options)).rejects.toThrow('refused with 401')
    expect(host.clients).toHaveLength(0)
  })

  it('refuses a Host header it does not serve (DNS rebinding) with 403', async () => {
    const { port, host } = await bridgeWithFakeHost()
    for (const hostHeader of ['evil.example', `evil.example:${port}`, `127.0.0.1:${port + 1}`]) {
      await expect(
        connectClient(port, { token: TOKEN, headers: { Host: hostHeader } }),
      ).rejects.toThrow('refused with 403')
    }
    expect(host.clients).toHaveLength(0)
  })

  it('accepts the loopback names with its own port', async () => {
    const { port } = await bridgeWithFakeHost()
    for (const hostHeader of [`localhost:${port}`, `127.0.0.1:${port}`, '[::1]']) {
      await expect(
        connectClient(port, { token: TOKEN, headers: { Host: hostHeader } }),
      ).resolves.toBeDefined()
    }
  })

  it('refuses a page from a foreign origin with 403, even with the token', async () => {
    const { port } = await bridgeWithFakeHost()
    await expect(
      connectClient(port, { token: TOKEN, headers: { Origin: 'https://evil.example' } }),
    ).rejects.toThrow('refused with 403')
  })

  it('accepts its own origin and the configured ones', async () => {
    const { port } = await bridgeWithFakeHost()
    await expect(
      connectClient(port, { token: TOKEN, headers: { Origin: `http://127.0.0.1:${port}` } }),
    ).resolves.toBeDefined()

    const custom = await bridgeWithFakeHost({ allowedOrigins: ['http://ui.test:8080'] })
    await expect(
      connectClient(custom.port, { token: TOKEN, headers: { Origin: 'http://ui.test:8080' } }),
    ).resolves.toBeDefined()
  })

  it('treats an authorize function that throws as a refusal', async () => {
    const { port } = await bridgeWithFakeHost({
      authorize: () => {
        throw new Error('token store unreadable')
      },
    })
    vi.spyOn(console, 'error').mockImplementation(() => undefined)
    await expect(connectClient(port, { token: TOKEN })).rejects.toThrow('refused with 401')
  })

  it('serves only its path on a shared HTTP server and leaves other upgrades alone', async () => {
    const server = createServer()
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const otherUpgrades = vi.fn()
    server.on('upgrade', otherUpgrades)
    const { port } = await bridgeWithFakeHost({ server })
    try {
      const client = await connectClient(port, { token: TOKEN })
      await expect(client.call('listOpen')).resolves.toMatchObject({ ok: true })
      expect(otherUpgrades).toHaveBeenCalledOnce()
    } finally {
      await running.pop()?.close()
      server.closeAllConnections()
      await new Promise((resolve) => server.close(resolve))
    }
  })
})

describe('WebSocket bridge messages', () => {
  it('closes the connection on a message over BRIDGE_MESSAGE_BYTES_MAX', async () => {
    const { port } = await bridgeWithFakeHost()
    const client = await connectClient(port, { token: TOKEN })

    client.ws.send('x'.repeat(BRIDGE_MESSAGE_BYTES_MAX + 1))

    await expect(client.closed).resolves.toMatchObject({ code: CLOSE_MESSAGE_TOO_BIG })
  })

  it.each([
    ['malformed JSON', '{"kind":"call",', CLOSE_INVALID_PAYLOAD],
    ['JSON that is not a call', '[1,2,3]', CLOSE_POLICY_VIOLATION],
    [
      'a call without a numeric id',
      '{"kind":"call","id":"7","method":"listOpen"}',
      CLOSE_POLICY_VIOLATION,
    ],
  ])(
    'closes the connection with a code on %s, and keeps serving others',
    async (_name, text, code) => {
      const { port, host } = await bridgeWithFakeHost()
      const bad = await connectClient(port, { token: TOKEN })
      const good = await connectClient(port, { token: TOKEN })

      bad.ws.send(text)

      await expect(bad.closed).resolves.toMatchObject({ code })
      await vi.waitFor(() => expect(host.clients[0]?.client.close).toHaveBeenCalledOnce())
      await expect(good.call('listOpen')).resolves.toMatchObject({ ok: true })
    },
  )

  it('closes the connection on a binary frame', async () => {
    const { port } = await bridgeWithFakeHost()
    const client = await connectClient(port, { token: TOKEN })
    client.ws.send(Buffer.from('{}'), { binary: true })
    await expect(client.closed).resolves.toMatchObject({ code: CLOSE_UNSUPPORTED_DATA })
  })

  it('answers unknown methods and bad arguments with their codes', async () => {
    const { port } = await bridgeWithFakeHost()
    const client = await connectClient(port, { token: TOKEN })

    await expect(client.call('rm -rf')).resolves.toMatchObject({
      ok: false,
      error: { code: 'unknown_method' },
    })
    await expect(client.call('summary', { handle: '' })).resolves.toMatchObject({
      ok: false,
      error: { code: 'validation' },
    })
  })

  it.each(BROWSING_METHODS)(
    'answers %s with not_available: the bridge shows one store',
    async (method) => {
      const { port, host } = await bridgeWithFakeHost()
      const client = await connectClient(port, { token: TOKEN })

      await expect(client.call(method, VALID_ARGS[method])).resolves.toMatchObject({
        ok: false,
        error: { code: 'not_available' },
      })
      expect(host.clients[0]?.client[method]).not.toHaveBeenCalled()
    },
  )

  it(`answers overloaded beyond ${BRIDGE_CALLS_IN_FLIGHT_MAX} calls in flight`, async () => {
    const { port, host } = await bridgeWithFakeHost()
    const client = await connectClient(port, { token: TOKEN })
    const release: (() => void)[] = []
    const api = host.clients[0]?.client
    api?.listOpen.mockImplementation(
      () => new Promise((resolve) => release.push(() => resolve({ ok: true, value: [] }))),
    )

    const held = Array.from({ length: BRIDGE_CALLS_IN_FLIGHT_MAX }, () => client.call('listOpen'))
    await vi.waitFor(() => expect(release).toHaveLength(BRIDGE_CALLS_IN_FLIGHT_MAX))
    await expect(client.call('listOpen')).resolves.toMatchObject({
      ok: false,
      error: { code: 'overloaded' },
    })

    for (const answer of release) answer()
    await expect(Promise.all(held)).resolves.toHaveLength(BRIDGE_CALLS_IN_FLIGHT_MAX)
    await expect(client.call('summary', { handle: 'h' })).resolves.toMatchObject({ ok: true })
  })

  it('closes the connection when a call id is reused while in flight', async () => {
    const { port, host } = await bridgeWithFakeHost()
    const client = await connectClient(port, { token: TOKEN })
    host.clients[0]?.client.listOpen.mockReturnValue(new Promise(() => undefined))
    const call = JSON.stringify({ kind: 'call', id: 5, method: 'listOpen' })

    client.ws.send(call)
    client.ws.send(call)

    await expect(client.closed).resolves.toMatchObject({ code: CLOSE_POLICY_VIOLATION })
  })

  it("sends the host's pushes to its own client only", async () => {
    const { port, host } = await bridgeWithFakeHost()
    const first = await connectClient(port, { token: TOKEN })
    const second = await connectClient(port, { token: TOKEN })
    await first.call('listOpen')
    await second.call('listOpen')

    await host.clients[0]?.sink([{ type: 'menu', command: 'verify' }])

    await vi.waitFor(() => expect(first.pushes).toEqual([{ type: 'menu', command: 'verify' }]))
    expect(second.pushes).toEqual([])
  })
})

describe('WebSocket bridge over a real store host', () => {
  it('appends, queries and delivers live events end to end, and refuses browsing', async () => {
    const dir = tempDir()
    await (await EventStore.open(dir, { create: true })).close()
    const host = await StoreHost.forStore(dir, 'write')
    try {
      const auth = createTokenAuthorizer()
      const bridge = await startWsBridge({
        connect: (sink) => host.connect(sink),
        authorize: auth.authorize,
      })
      running.push(bridge)
      const client = await connectClient(bridge.port, { token: auth.token })

      const open = await client.call('listOpen')
      const [summary] = open.ok ? (open.value as StoreSummary[]) : []
      expect(summary).toBeDefined()
      const handle = summary?.handle
      await expect(
        client.call('subscribe', { handle, filter: {}, from_sequence: 1 }),
      ).resolves.toMatchObject({ ok: true })

      const events = [
        { event_type: 'agent_registered', aggregate_id: 'agent-1', data: { zone: 'north' } },
        { event_type: 'command_received', aggregate_id: 'agent-1' },
      ]
      await expect(client.call('append', { handle, events })).resolves.toMatchObject({
        ok: true,
        value: [{ sequence: 1 }, { sequence: 2 }],
      })
      const page = await client.call('query', {
        handle,
        query: { event_types: ['agent_registered'] },
      })
      expect(page).toMatchObject({
        ok: true,
        value: { total_count: 1, events: [{ sequence: 1, data: { zone: 'north' } }] },
      })

      await vi.waitFor(() => {
        const live = client.pushes.flatMap((push) => (push.type === 'events' ? push.events : []))
        expect(live.map((event) => event.sequence)).toEqual([1, 2])
      })
      await expect(client.call('openStore', { path: dir, access: 'write' })).resolves.toMatchObject(
        {
          ok: false,
          error: { code: 'not_available' },
        },
      )
      await expect(
        client.call('append', { handle, events: [{ event_type: 'x' }] }),
      ).resolves.toMatchObject({
        ok: false,
        error: { code: 'validation' },
      })
    } finally {
      await Promise.all(running.splice(0).map((bridge) => bridge.close()))
      await host.close()
    }
  })
})
