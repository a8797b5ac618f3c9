import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { BROWSING_METHODS } from '../../../src/shared/storeApi'
import { StoreHost } from '../../../src/main/host/storeHost'
import { CONFIG_FILE, RecentStores } from '../../../src/main/host/recentStores'
import { RECENT_STORES_MAX } from '../../../src/main/host/hostLimits'
import { tempDir } from '../../support/tempDir'
import {
  buildStore,
  connect,
  errorCode,
  hostOptions,
  logged,
  makeHost,
  smallEvent,
  until,
  value,
} from './hostHarness'

/**
 * StoreHost's store calls through a connected client: each method's happy path and the
 * error codes a client switches on, against real stores in temp directories.
 */
describe('StoreHost stores', () => {
  it('creates a store, appends, queries and reads an event by id, by sequence and as raw bytes', async () => {
    const { host } = makeHost()
    const { client, recorder } = connect(host)
    const path = join(tempDir(), 'new-store')
    const created = value(await client.createStore({ path }))
    expect(created).toMatchObject({
      path,
      name: 'new-store',
      access: 'write',
      mode: 'writable',
      event_count: 0,
    })
    expect(created.handle).not.toContain('/')
    const handle = created.handle
    const acks = value(await client.append({ handle, events: [smallEvent(1), smallEvent(2)] }))
    expect(acks.map((a) => a.sequence)).toEqual([1, 2])
    const page = value(
      await client.query({ handle, query: { event_types: ['agent_heartbeat'], limit: 10 } }),
    )
    expect(page.total_count).toBe(2)
    const byId = value(await client.getEvent({ handle, event_id: acks[1]!.event_id }))
    expect(byId.sequence).toBe(2)
    expect(value(await client.getEvent({ handle, sequence: 1 })).data).toMatchObject({ n: 1 })
    const raw = value(await client.getRawRecord({ handle, sequence: 2 }))
    expect(raw.segment).toMatch(/^segment-\d{10}\.log$/)
    expect(raw.checksum_ok).toBe(true)
    expect(raw.hex.startsWith(Buffer.from('LHEV').toString('hex'))).toBe(true)
    expect(raw.hex.endsWith(raw.sha256)).toBe(true)
    expect(value(await client.summary({ handle }))).toMatchObject({
      event_count: 2,
      last_sequence: 2,
    })
    expect(value(await client.listOpen()).map((s) => s.handle)).toEqual([handle])
    await until('the open store pushed', () =>
      recorder.of('store').some((p) => p.handle === handle),
    )
  })

  it('reads raw records from sealed segments too', async () => {
    const { host } = makeHost()
    const { client } = connect(host)
    const path = await buildStore(300)
    const { handle } = value(await client.openStore({ path, access: 'write' }))
    const segments = value(await client.listSegments({ handle }))
    const sealed = segments.find((s) => s.compressed)!
    const raw = value(await client.getRawRecord({ handle, sequence: sealed.first_sequence! + 1 }))
    expect(raw).toMatchObject({ segment: sealed.name, checksum_ok: true })
  })

  it('answers not_found for unknown handles, events and jobs, and validation for bad arguments', async () => {
    const { host } = makeHost()
    const { client } = connect(host)
    const { handle } = value(await client.createStore({ path: join(tempDir(), 's') }))
    expect(errorCode(await client.summary({ handle: 'no-such-handle' }))).toBe('not_found')
    expect(errorCode(await client.query({ handle: 'nope', query: {} }))).toBe('not_found')
    expect(errorCode(await client.getEvent({ handle, sequence: 99 }))).toBe('not_found')
    expect(errorCode(await client.getEvent({ handle, event_id: '1_99_node' }))).toBe('not_found')
    expect(errorCode(await client.getRawRecord({ handle, sequence: 1 }))).toBe('not_found')
    expect(errorCode(await client.getJob({ job_id: 'nope' }))).toBe('not_found')
    expect(errorCode(await client.cancelJob({ job_id: 'nope' }))).toBe('not_found')
    expect(errorCode(await client.unsubscribe({ subscription_id: 'nope' }))).toBe('not_found')
    expect(errorCode(await client.getEvent({ handle }))).toBe('validation')
    expect(errorCode(await client.getEvent({ handle, sequence: 1, event_id: 'x' }))).toBe(
      'validation',
    )
    expect(errorCode(await client.getRawRecord({ handle, sequence: 0 }))).toBe('validation')
    expect(errorCode(await client.query({ handle, query: { limit: 0 } }))).toBe('validation')
    expect(errorCode(await client.append({ handle, events: [{ event_type: 'x' }] as never }))).toBe(
      'validation',
    )
    expect(errorCode(await client.openStore({ path: '', access: 'write' }))).toBe('validation')
    expect(
      errorCode(await client.openStore({ path: tempDir(), access: 'sideways' as never })),
    ).toBe('validation')
    expect(errorCode(await client.summary(undefined as never))).toBe('validation')
    expect(errorCode(await client.summary({ handle: 42 as never }))).toBe('validation')
    expect(errorCode(await client.subscribe({ handle, filter: {}, from_sequence: -1 }))).toBe(
      'validation',
    )
    expect(errorCode(await client.startVerification({ handle, file: '../etc/passwd' }))).toBe(
      'validation',
    )
    expect(errorCode(await client.getRecoveryReport({ handle, id: '../store.json' }))).toBe(
      'validation',
    )
    expect(
      errorCode(
        await client.getRecoveryReport({ handle, id: 'recovery-2025-01-01T00-00-00-000Z.json' }),
      ),
    ).toBe('not_found')
  })

  it('refuses to open a directory that is not a store, or to create one in a non-empty one', async () => {
    const { host } = makeHost()
    const { client } = connect(host)
    const dir = tempDir()
    writeFileSync(join(dir, 'notes.txt'), 'hello')
    expect(errorCode(await client.openStore({ path: dir, access: 'write' }))).toBe('not_a_store')
    const created = await client.createStore({ path: dir })
    expect(errorCode(created)).toBe('not_a_store')
    expect(!created.ok && created.error.message).toMatch(/not empty/)
    const store = await buildStore(3)
    expect(errorCode(await client.createStore({ path: store }))).toBe('validation')
  })

  it('closes a store: its handle is gone, a `store` push says so, and it can be opened again', async () => {
    const { host } = makeHost()
    const { client, recorder } = connect(host)
    const path = await buildStore(10)
    const { handle } = value(await client.openStore({ path, access: 'write' }))
    expect(value(await client.closeStore({ handle }))).toBeNull()
    expect(errorCode(await client.summary({ handle }))).toBe('not_found')
    await until('the closing push', () =>
      recorder.of('store').some((p) => p.handle === handle && p.summary === null),
    )
    expect(value(await client.openStore({ path, access: 'write' })).event_count).toBe(10)
  })

  it('opens a store twice as the same handle, and refuses a second open with another access', async () => {
    const { host } = makeHost()
    const { client } = connect(host)
    const path = await buildStore(5)
    const first = value(await client.openStore({ path, access: 'write' }))
    expect(value(await client.openStore({ path, access: 'write' })).handle).toBe(first.handle)
    expect(errorCode(await client.openStore({ path, access: 'follow' }))).toBe('validation')
  })

  it('follows a store written by another writer: new appends show up', async () => {
    const { host } = makeHost()
    const { client } = connect(host)
    const path = await buildStore(5)
    const { EventStore } = await import('../../../src/main/engine/eventStore')
    const writer = await EventStore.open(path)
    try {
      const followed = value(await client.openStore({ path, access: 'follow' }))
      expect(followed).toMatchObject({ access: 'follow', mode: 'read_only' })
      expect(
        errorCode(await client.append({ handle: followed.handle, events: [smallEvent(1)] })),
      ).toBe('read_only')
      await writer.append(smallEvent(6))
      await until('the follower to see the append', async () => {
        const summary = value(await client.summary({ handle: followed.handle }))
        return summary.event_count === 6
      })
    } finally {
      await writer.close()
    }
  })

  it('a host scoped to one store serves it and refuses every browsing method', async () => {
    const path = await buildStore(20)
    const host = await StoreHost.forStore(path, 'write', hostOptions())
    try {
      const { client } = connect(host)
      const [open] = value(await client.listOpen())
      expect(open).toMatchObject({ path, event_count: 20 })
      expect(value(await client.query({ handle: open!.handle, query: {} })).total_count).toBe(20)
      const refusals = await Promise.all(
        BROWSING_METHODS.map((method) =>
          (client[method] as (args: unknown) => Promise<{ ok: boolean }>)({
            path,
            access: 'write',
            handle: open!.handle,
          }),
        ),
      )
      expect(refusals.map((r) => errorCode(r as never))).toEqual(
        BROWSING_METHODS.map(() => 'not_available'),
      )
      expect(value(await client.summary({ handle: open!.handle })).event_count).toBe(20)
    } finally {
      await host.close()
    }
  })
})

describe('StoreHost recent stores', () => {
  it('remembers opened stores newest first across hosts, bounded, with whether each still exists', async () => {
    const dirs = { configDir: tempDir(), userDataDir: tempDir() }
    const { host } = makeHost({}, dirs)
    const { client } = connect(host)
    const a = await buildStore(2)
    const b = await buildStore(2)
    value(await client.openStore({ path: a, access: 'write' }))
    value(await client.openStore({ path: b, access: 'follow' }))
    await host.close()
    const again = makeHost({}, dirs)
    const recent = value(await connect(again.host).client.listRecent())
    expect(recent.map((r) => r.path)).toEqual([b, a])
    expect(recent[0]).toMatchObject({ exists: true, name: 'store' })
    expect(recent[0]!.size_bytes).toBeGreaterThan(0)
    const file = JSON.parse(readFileSync(join(dirs.configDir, CONFIG_FILE), 'utf8')) as {
      stores: unknown[]
    }
    expect(file.stores).toHaveLength(2)
  })

  it('keeps at most RECENT_STORES_MAX stores, dropping the least recently opened', async () => {
    const recent = await RecentStores.load(tempDir(), () => undefined)
    for (let i = 0; i < RECENT_STORES_MAX + 3; i++) await recent.remember(`/stores/s${i}`, 'write')
    const listed = await recent.list()
    expect(listed).toHaveLength(RECENT_STORES_MAX)
    expect(listed[0]!.path).toBe(`/stores/s${RECENT_STORES_MAX + 2}`)
    expect(listed.some((r) => r.path === '/stores/s0')).toBe(false)
  })

  it('replaces a corrupt config file with an empty list and logs a warning instead of failing', async () => {
    const configDir = tempDir()
    mkdirSync(configDir, { recursive: true })
    writeFileSync(join(configDir, CONFIG_FILE), '{"format": "lighthouse-host-stores", "stor')
    const { host } = makeHost({}, { configDir, userDataDir: tempDir() })
    const { client } = connect(host)
    expect(value(await client.listRecent())).toEqual([])
    expect(logged.some((line) => line.includes('replaced'))).toBe(true)
    expect(JSON.parse(readFileSync(join(configDir, CONFIG_FILE), 'utf8'))).toMatchObject({
      stores: [],
    })
  })

  it('reports a remembered store that was deleted as not existing', async () => {
    const { host } = makeHost()
    const { client } = connect(host)
    const path = join(tempDir(), 'gone')
    const { handle } = value(await client.createStore({ path }))
    value(await client.closeStore({ handle }))
    const { rmSync } = await import('node:fs')
    rmSync(path, { recursive: true })
    expect(existsSync(path)).toBe(false)
    expect(value(await client.listRecent())[0]).toMatchObject({
      path,
      exists: false,
      size_bytes: null,
    })
  })
})
