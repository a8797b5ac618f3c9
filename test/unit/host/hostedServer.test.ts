import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { StoreHost } from '../../../src/main/host/storeHost'
import { addToken, TOKEN_FILE_NAME } from '../../../src/main/server/tokenFile'
import type { ServerStatus } from '../../../src/shared/storeApi'
import { jsonRequest, send } from '../server/httpClient'
import { tempDir } from '../../support/tempDir'
import {
  buildStore,
  closeAfterTest,
  connect,
  errorCode,
  hostOptions,
  makeHost,
  smallEvent,
  value,
} from './hostHarness'

/**
 * The desktop host serves a store it already has open (it holds the writer lock) over
 * HTTP on loopback, through the same host, and stops serving when asked, when the store
 * closes and when the host closes.
 */
async function openWriter() {
  const { host } = makeHost()
  const { client } = connect(host)
  const { handle } = value(await client.createStore({ path: join(tempDir(), 'served') }))
  return { host, client, handle }
}

function portOf(status: ServerStatus): number {
  expect(status.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
  return Number(new URL(status.url!).port)
}

async function refusesConnections(port: number): Promise<boolean> {
  return send(port, { path: '/health' }).then(
    () => false,
    (error: NodeJS.ErrnoException) => error.code === 'ECONNREFUSED',
  )
}

describe('a store served from the app', () => {
  it('serves the open writer store on loopback: an append with the shown token reaches the app', async () => {
    const { client, handle } = await openWriter()
    expect(value(await client.serverStatus({ handle }))).toMatchObject({ running: false })

    const status = value(await client.startServer({ handle }))
    expect(status).toMatchObject({ running: true, read_only: false })
    expect(status.login_url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/login\?token=/)
    const port = portOf(status)
    expect((await send(port, { path: '/health' })).status).toBe(200)

    const stored = await send(port, jsonRequest(status.token, 'POST', '/events', smallEvent(1)))
    expect(stored.status).toBe(201)
    expect(value(await client.summary({ handle })).event_count).toBe(1)
    expect(value(await client.serverStatus({ handle }))).toEqual(status)
    expect(value(await client.startServer({ handle }))).toEqual(status)
  })

  it('stopServer closes the port and forgets the token', async () => {
    const { client, handle } = await openWriter()
    const port = portOf(value(await client.startServer({ handle })))

    expect(value(await client.stopServer({ handle }))).toEqual({
      running: false,
      url: null,
      login_url: null,
      token: null,
      read_only: false,
    })
    expect(await refusesConnections(port)).toBe(true)
  })

  it('closing the store stops its server', async () => {
    const { client, handle } = await openWriter()
    const port = portOf(value(await client.startServer({ handle })))

    value(await client.closeStore({ handle }))
    expect(await refusesConnections(port)).toBe(true)
  })

  it('closing the host stops its servers', async () => {
    const { client, handle, host } = await openWriter()
    const port = portOf(value(await client.startServer({ handle })))

    await host.close()
    expect(await refusesConnections(port)).toBe(true)
  })

  it('adds an app token to an existing token file and revokes it on stop', async () => {
    const path = join(tempDir(), 'with-tokens')
    const { host } = makeHost()
    const { client } = connect(host)
    const { handle } = value(await client.createStore({ path }))
    const tokenFile = join(path, TOKEN_FILE_NAME)
    const ops = await addToken(tokenFile, 'ops', ['events.read'])
    const names = () =>
      (JSON.parse(readFileSync(tokenFile, 'utf8')) as { tokens: { name: string }[] }).tokens.map(
        (entry) => entry.name,
      )

    const status = value(await client.startServer({ handle }))
    expect(names()).toEqual(['ops', expect.stringMatching(/^app-/)])
    const port = portOf(status)
    expect((await send(port, jsonRequest(ops, 'GET', '/events'))).status).toBe(200)
    expect((await send(port, jsonRequest(status.token, 'GET', '/metrics'))).status).toBe(200)

    value(await client.stopServer({ handle }))
    expect(names()).toEqual(['ops'])
  })

  it('a port in use is a validation error naming the port', async () => {
    const first = await openWriter()
    const port = portOf(value(await first.client.startServer({ handle: first.handle })))
    const second = await openWriter()

    const refused = await second.client.startServer({ handle: second.handle, port })
    expect(errorCode(refused)).toBe('validation')
    expect(value(await second.client.serverStatus({ handle: second.handle })).running).toBe(false)
  })

  it('a client scoped to the served store sees no other store, job or browsing method', async () => {
    const { host, client, handle } = await openWriter()
    const other = value(await client.createStore({ path: join(tempDir(), 'other') })).handle
    const scoped = closeAfterTest(host.connect(() => undefined, handle))

    expect(value(await scoped.listOpen()).map((summary) => summary.handle)).toEqual([handle])
    expect(errorCode(await scoped.summary({ handle: other }))).toBe('not_found')
    const job = value(await client.startVerification({ handle: other }))
    expect(errorCode(await scoped.getJob({ job_id: job.job_id }))).toBe('not_found')
    expect(errorCode(await scoped.startServer({ handle }))).toBe('not_available')
    expect(value(await scoped.summary({ handle })).handle).toBe(handle)
  })

  it('a browser-mode host answers the server methods with not_available', async () => {
    const path = await buildStore(3)
    const host = closeAfterTest(await StoreHost.forStore(path, 'write', hostOptions()))
    const { client } = connect(host)
    const [open] = value(await client.listOpen())
    const handle = open!.handle

    expect(errorCode(await client.startServer({ handle }))).toBe('not_available')
    expect(errorCode(await client.stopServer({ handle }))).toBe('not_available')
    expect(errorCode(await client.serverStatus({ handle }))).toBe('not_available')
  })
})
