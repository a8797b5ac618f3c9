import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { encode } from '@msgpack/msgpack'
import { DemoEvents } from '../../../src/main/host/demoEvents'
import { DEMO_EVENTS } from '../../../src/main/host/hostLimits'
import { tempDir } from '../../support/tempDir'
import { connect, errorCode, makeHost, sleep, until, value } from './hostHarness'

/** The demo store and the load generator that makes a store live. */
describe('DemoEvents', () => {
  it('gives the same events for the same seed, and others for another seed', () => {
    const a = new DemoEvents({ seed: 7, startMs: 0 }).take(500)
    expect(new DemoEvents({ seed: 7, startMs: 0 }).take(500)).toEqual(a)
    expect(new DemoEvents({ seed: 8, startMs: 0 }).take(500)).not.toEqual(a)
  })

  it('makes varied events of realistic size with correlation chains whose steps name their causes', () => {
    const events = new DemoEvents({ seed: 3 }).take(3000)
    const types = new Set(events.map((e) => e.event_type))
    for (const type of [
      'agent_registered',
      'agent_heartbeat',
      'command_received',
      'command_validated',
      'command_executed',
      'command_failed',
      'shadow_updated',
    ]) {
      expect(types).toContain(type)
    }
    const sizes = events.map((e) => encode(e).length).sort((x, y) => x - y)
    expect(sizes[Math.floor(sizes.length * 0.05)]).toBeGreaterThanOrEqual(200)
    expect(sizes[Math.floor(sizes.length * 0.95)]).toBeLessThanOrEqual(800)
    const messageIds = new Set(events.map((e) => e.metadata?.message_id))
    const caused = events.filter((e) => e.causation_id)
    expect(caused.length).toBeGreaterThan(500)
    for (const event of caused) expect(messageIds).toContain(event.causation_id)
    const chain = events.filter((e) => e.correlation_id === caused[0]!.correlation_id)
    expect(chain[0]!.event_type).toBe('command_received')
  })
})

describe('StoreHost demo store and load generator', () => {
  it('builds the demo store on first use with sealed and active segments, and reuses it after', async () => {
    const userDataDir = tempDir()
    const { host } = makeHost({}, { configDir: tempDir(), userDataDir })
    const { client } = connect(host)
    const demo = value(await client.openDemo())
    expect(demo).toMatchObject({ is_demo: true, mode: 'writable', event_count: DEMO_EVENTS })
    expect(demo.path.startsWith(userDataDir)).toBe(true)
    const rows = value(await client.listSegments({ handle: demo.handle }))
    expect(rows.some((r) => r.compressed)).toBe(true)
    expect(rows.at(-1)!.active).toBe(true)
    value(await client.closeStore({ handle: demo.handle }))
    expect(value(await client.openDemo()).event_count).toBe(DEMO_EVENTS)
  })

  it('appends at roughly the asked rate and stops when told, or when the store closes', async () => {
    const { host } = makeHost()
    const { client } = connect(host)
    const path = join(tempDir(), 's')
    const { handle } = value(await client.createStore({ path }))
    expect(
      errorCode(await client.startLoad({ handle, settings: { rate: 0, shape: 'demo' } })),
    ).toBe('validation')
    expect(
      errorCode(await client.startLoad({ handle, settings: { rate: 10, shape: 'huge' as never } })),
    ).toBe('validation')
    const rate = 200
    const started = performance.now()
    expect(
      value(await client.startLoad({ handle, settings: { rate, shape: 'small' } })).running,
    ).toBe(true)
    await sleep(1000)
    const status = value(await client.stopLoad({ handle }))
    const seconds = (performance.now() - started) / 1000
    expect(status.running).toBe(false)
    expect(status.appended).toBeGreaterThan(0)
    expect(status.appended).toBeLessThanOrEqual(rate * seconds + rate)
    expect(status.errors).toBe(0)
    // Batches already submitted still become durable after the stop; then nothing more comes.
    let settled = -1
    await until('the count to settle', async () => {
      const count = value(await client.summary({ handle })).event_count
      const same = count === settled
      settled = count
      if (!same) await sleep(150)
      return same
    })
    expect(value(await client.stopLoad({ handle })).appended).toBe(settled)
    expect(value(await client.summary({ handle })).append_rate).toBeGreaterThan(0)
    value(await client.startLoad({ handle, settings: { rate: 50, shape: 'large' } }))
    value(await client.closeStore({ handle }))
    const again = value(await client.openStore({ path, access: 'write' }))
    await sleep(200)
    expect(value(await client.summary({ handle: again.handle })).event_count).toBe(
      again.event_count,
    )
    expect(value(await client.stopLoad({ handle: again.handle })).running).toBe(false)
  })
})
