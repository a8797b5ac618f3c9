import { describe, expect, it } from 'vitest'
import { writeFileSync } from 'node:fs'
import { EventStore } from '../../../src/main/engine/eventStore'
import { StoreLockedError } from '../../../src/main/engine/errors'
import { tempDir } from '../../support/tempDir'

const event = { event_type: 't', aggregate_id: 'a' }

describe('one writer per store', () => {
  it('refuses a second writer, naming the holder', async () => {
    const dir = `${tempDir()}/store`
    const first = await EventStore.open(dir, { create: true, pid: 4242, hostname: 'host-a' })
    const second = EventStore.open(dir, { pid: 4343, hostname: 'host-a', isAlive: () => true })
    await expect(second).rejects.toBeInstanceOf(StoreLockedError)
    await expect(second).rejects.toThrow(/pid 4242 on host-a/)
    await first.close()
  })

  it('reclaims a lock left by a dead process on the same host', async () => {
    const dir = `${tempDir()}/store`
    await (await EventStore.open(dir, { create: true })).close()
    writeFileSync(`${dir}/LOCK`, JSON.stringify({ pid: 999999, host: 'host-a', since: 'then' }))
    const store = await EventStore.open(dir, { hostname: 'host-a', isAlive: () => false })
    expect((await store.append(event)).sequence).toBe(1)
    await store.close()
  })

  it('respects a lock held from another host, which it cannot check', async () => {
    const dir = `${tempDir()}/store`
    await (await EventStore.open(dir, { create: true })).close()
    writeFileSync(`${dir}/LOCK`, JSON.stringify({ pid: 1, host: 'other-host', since: 'then' }))
    await expect(
      EventStore.open(dir, { hostname: 'host-a', isAlive: () => false }),
    ).rejects.toThrow(/other-host/)
  })

  it('lets a reader open the store while a writer holds it, and never write', async () => {
    const dir = `${tempDir()}/store`
    const writer = await EventStore.open(dir, { create: true })
    await writer.append(event)
    const reader = await EventStore.open(dir, { access: 'read' })
    expect(reader.mode).toBe('read_only')
    expect(reader.inspect().event_count).toBe(1)
    await expect(reader.append(event)).rejects.toMatchObject({ code: 'read_only' })
    await reader.close()
    await writer.close()
  })
})
