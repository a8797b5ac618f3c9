import { afterEach, describe, expect, it } from 'vitest'
import type { TriggerName } from '../../../src/shared/sla'
import type { EventStore } from '../../../src/main/engine/eventStore'
import { StoreError } from '../../../src/main/engine/errors'
import { SideLog } from '../../../src/main/engine/sla/sideLog'
import { SLA_FILE_NAME } from '../../../src/main/engine/sla/slaConfig'
import {
  DIR,
  World,
  allEvents,
  codeOf,
  ordinaryEvent,
  step,
  stepUntil,
  transitionEvents,
} from './monitorHarness'

/**
 * The SLA monitor wired into a store: each trigger raises the level, EMERGENCY refuses
 * ordinary appends while reads go on, every transition lands in the log or the side log,
 * leaving RECOVERING needs a verification and an approval, and nothing acknowledged is
 * lost on the way. Clock, disk, memory and fsync are the test's (monitorHarness.ts).
 */

const open: EventStore[] = []
afterEach(async () => {
  for (const store of open.splice(0)) await store.close()
})

async function openStore(world: World, ...args: Parameters<World['open']>): Promise<EventStore> {
  const store = await world.open(...args)
  open.push(store)
  return store
}

/** How each trigger is put at its warning and then its emergency value. */
const TRIGGERS: Record<
  Exclude<TriggerName, 'append_error_rate'>,
  { warn(world: World, store: EventStore): void; alarm(world: World, store: EventStore): void }
> = {
  disk_usage: {
    warn: (world) => (world.diskUsage = 0.85),
    alarm: (world) => (world.diskUsage = 0.91),
  },
  memory_usage: {
    warn: (world) => (world.memoryUsage = 0.92),
    alarm: (world) => (world.memoryUsage = 0.96),
  },
  append_p99_ms: {
    // Latencies recorded as a slow disk would make them, in microseconds, at the store's clock.
    warn: (_, store) => recordAppends(store, 500_000),
    alarm: (_, store) => recordAppends(store, 2_000_000),
  },
  append_backlog: {
    // Held fsyncs keep appends queued: 2 waiting is over the warning of 1, 4 over the emergency of 3.
    warn: (world, store) => queueAppends(world, store, 2),
    alarm: (world, store) => queueAppends(world, store, 2),
  },
}

function recordAppends(store: EventStore, valueUs: number): void {
  for (let i = 0; i < 100; i++) store.metrics.record('append', valueUs)
}

const queued: Promise<unknown>[] = []
function queueAppends(world: World, store: EventStore, count: number): void {
  world.gate.close()
  for (let i = 0; i < count; i++) queued.push(store.append(ordinaryEvent(i)))
}

describe('the SLA level of a store', () => {
  for (const [name, trigger] of Object.entries(TRIGGERS)) {
    it(`${name} raises WARNING, then EMERGENCY, which refuses ordinary appends while reads and its own events go on`, async () => {
      const world = new World()
      const store = await openStore(world)
      await store.setSlaThresholds({ triggers: { append_backlog: { warning: 1, emergency: 3 } } })
      const before = await store.append(ordinaryEvent(1))

      trigger.warn(world, store)
      await stepUntil(world, store, 'WARNING')
      expect(store.slaSnapshot().reason).toContain(name)
      // WARNING only alerts: nothing is refused.
      expect(store.slaSnapshot().write_block).toBeNull()

      trigger.alarm(world, store)
      await stepUntil(world, store, 'EMERGENCY')
      const refusal = await store.append(ordinaryEvent(3)).catch((error: StoreError) => error)
      expect(refusal).toBeInstanceOf(StoreError)
      expect((refusal as StoreError).code).toBe('emergency_mode')
      expect((refusal as StoreError).message).toMatch(/EMERGENCY.*reads continue.*Retry/s)
      expect(store.slaSnapshot().write_block?.code).toBe('emergency_mode')
      expect(store.inspect().sla_level).toBe('EMERGENCY')

      world.gate.open()
      await Promise.allSettled(queued.splice(0))
      await store.monitor.settled()
      expect((await store.getBySequence(before.sequence))?.event_id).toBe(before.event_id)
      const recorded = await transitionEvents(store)
      expect(recorded.map((event) => [event.event_type, event.data.to])).toEqual([
        ['degradation_triggered', 'WARNING'],
        ['degradation_triggered', 'EMERGENCY'],
      ])
      expect(recorded[1]!.data.reason).toContain(name)
      expect(Object.keys(recorded[1]!.data.figures as object)).toContain(name)
    })
  }

  it('leaves EMERGENCY for RECOVERING once the triggers clear, and returns to NORMAL only after a passing verification and an approval', async () => {
    const world = new World()
    const store = await openStore(world)
    world.memoryUsage = 0.97
    await stepUntil(world, store, 'EMERGENCY')
    world.memoryUsage = 0.1
    await stepUntil(world, store, 'RECOVERING')
    expect(await codeOf(store.append(ordinaryEvent(1)))).toBe('emergency_mode')
    expect(await codeOf(store.append(ordinaryEvent(1), { admin: true }))).toBe('emergency_mode')
    const adminEvent = { event_type: 'emergency_note', aggregate_id: 'ops', data: {} }
    expect(await codeOf(store.append(adminEvent, { admin: true }))).toBe('ok')

    await expect(store.approveRecovery()).rejects.toThrow(/Run a verification first/)
    expect(store.slaSnapshot().recovery).toEqual({
      verification_passed_at: null,
      can_approve: false,
    })
    store.verificationPassed(world.nowMs)
    expect(store.slaSnapshot().recovery?.can_approve).toBe(true)
    const approved = await store.approveRecovery()
    expect(approved).toMatchObject({ from: 'RECOVERING', to: 'NORMAL' })
    expect(await codeOf(store.append(ordinaryEvent(2)))).toBe('ok')
    expect((await transitionEvents(store)).map((event) => event.event_type)).toEqual([
      'degradation_triggered',
      'recovery_started',
      'recovery_completed',
    ])
    expect(store.slaHistory().transitions.map((t) => t.to)).toEqual([
      'EMERGENCY',
      'RECOVERING',
      'NORMAL',
    ])
  })

  it('a verification that started before RECOVERING does not allow the approval', async () => {
    const world = new World()
    const store = await openStore(world)
    const verifiedAtMs = world.nowMs
    world.memoryUsage = 0.97
    await stepUntil(world, store, 'EMERGENCY')
    world.memoryUsage = 0.1
    await stepUntil(world, store, 'RECOVERING')
    store.verificationPassed(verifiedAtMs)
    await expect(store.approveRecovery()).rejects.toMatchObject({ code: 'validation' })
  })

  it('a disk above 95% refuses every append with disk_full naming the bytes to free, and the transition goes to the side log', async () => {
    const world = new World()
    const store = await openStore(world)
    world.diskUsage = 0.96
    await step(world, store)
    const refusal = await store.append(ordinaryEvent(1)).catch((error: StoreError) => error)
    expect((refusal as StoreError).code).toBe('disk_full')
    const needed = store.slaSnapshot().write_block?.free_bytes_needed
    // Below 90% of 1 GB: 960 MB used must fall under 900 MB.
    expect(needed).toBe(60_000_001)
    expect((refusal as StoreError).message).toContain(`Free at least ${needed} bytes`)
    const adminEvent = { event_type: 'emergency_note', aggregate_id: 'ops', data: {} }
    expect(await codeOf(store.append(adminEvent, { admin: true }))).toBe('disk_full')

    await stepUntil(world, store, 'EMERGENCY')
    await store.monitor.settled()
    expect(await transitionEvents(store)).toEqual([])
    const side = await new SideLog(world.fs, DIR).recent(10)
    expect(side.problems).toEqual([])
    expect(side.transitions.map((t) => [t.from, t.to])).toEqual([['NORMAL', 'EMERGENCY']])
    expect(store.health().components.find((c) => c.name === 'disk')?.status).toBe('failed')

    // Hysteresis: 91% still blocks; below 90% the block lifts and EMERGENCY remains.
    world.diskUsage = 0.91
    await step(world, store)
    expect(store.slaSnapshot().write_block?.code).toBe('disk_full')
    world.diskUsage = 0.89
    await step(world, store)
    expect(store.slaSnapshot().write_block?.code).toBe('emergency_mode')
    expect(await codeOf(store.query({}))).toBe('ok')
  })

  it('an fsync failure makes the store failed and raises EMERGENCY at once, recorded in the side log', async () => {
    const world = new World()
    const store = await openStore(world)
    const acked = await store.append(ordinaryEvent(1))
    world.disk.failNext('datasync', 'EIO', { pathIncludes: 'segment-' })
    expect(await codeOf(store.append(ordinaryEvent(2)))).toBe('store_failed')
    expect(store.mode).toBe('failed')
    expect(store.slaSnapshot()).toMatchObject({ level: 'EMERGENCY' })
    expect(store.slaSnapshot().reason).toMatch(/^store_failed: /)
    expect(store.slaSnapshot().violations[0]).toMatchObject({ metric: 'store_failed' })
    await store.monitor.settled()
    const side = await new SideLog(world.fs, DIR).recent(10)
    expect(side.transitions.map((t) => t.to)).toEqual(['EMERGENCY'])
    expect(store.healthSummary().status).toBe('failed')
    expect((await store.getBySequence(acked.sequence))?.event_id).toBe(acked.event_id)
  })

  it('loses no acknowledged event while appends race with transitions, and records every transition once', async () => {
    const world = new World()
    const store = await openStore(world)
    await store.setSlaThresholds({ hold_ms: 3000, clear_ms: 5000 })
    const made: string[] = []
    store.onSlaTransition((transition) => made.push(`${transition.from}->${transition.to}`))
    const acks = new Map<number, string>()
    const refusals = new Map<string, number>()
    const pending: Promise<void>[] = []
    // Memory alternates between an emergency and a clear stretch. The first time the level
    // is back to NORMAL after a minute, the disk goes over its block for 10 s, so the rise
    // that follows goes to the side log while the other transitions go to the store.
    const memoryAt = (second: number) => (Math.floor(second / 15) % 2 === 0 ? 0.97 : 0.1)
    let blockedUntil = -1
    for (let second = 0; second < 240; second++) {
      world.memoryUsage = memoryAt(second)
      if (blockedUntil < 0 && second > 60 && store.slaSnapshot().level === 'NORMAL') {
        blockedUntil = second + 10
      }
      world.diskUsage = second < blockedUntil ? 0.96 : 0.5
      for (let i = 0; i < 3; i++) {
        const n = second * 3 + i
        const append =
          i === 2
            ? store.appendBatch([ordinaryEvent(n), ordinaryEvent(n + 1)])
            : store.append(ordinaryEvent(n))
        pending.push(
          Promise.resolve(append).then(
            (result) => {
              for (const r of [result].flat()) acks.set(r.sequence, r.event_id)
            },
            (error: StoreError) => {
              refusals.set(error.code, (refusals.get(error.code) ?? 0) + 1)
            },
          ),
        )
      }
      // An operator who verifies now and then, and approves as soon as that is allowed.
      if (second % 4 === 0) store.verificationPassed(world.nowMs)
      await step(world, store)
      if (store.slaSnapshot().recovery?.can_approve) await store.approveRecovery()
    }
    await Promise.all(pending)
    await store.monitor.settled()
    expect(
      [...refusals.keys()].every((code) => ['emergency_mode', 'disk_full'].includes(code)),
    ).toBe(true)
    expect(made.length).toBeGreaterThanOrEqual(4)
    expect(acks.size).toBeGreaterThan(0)
    expect(refusals.get('emergency_mode')).toBeGreaterThan(0)
    await store.close()
    open.pop()

    const reopened = await openStore(world, { access: 'read' })
    const stored = new Map((await allEvents(reopened)).map((event) => [event.sequence, event]))
    for (const [sequence, eventId] of acks) expect(stored.get(sequence)?.event_id).toBe(eventId)
    const inLog = (await transitionEvents(reopened)).length
    const inSideLog = (await new SideLog(world.fs, DIR).recent(1000)).transitions.length
    expect(inLog + inSideLog).toBe(made.length)
    expect(inSideLog).toBeGreaterThan(0)
    expect(stored.size).toBe(acks.size + inLog)
  })
})

describe('the SLA configuration of a store', () => {
  it('reads sla.json at open, and a change at run time is saved durably and read by the next open', async () => {
    const world = new World()
    const first = await openStore(world)
    await first.close()
    open.pop()
    await writeFile(world, SLA_FILE_NAME, {
      hold_ms: 5000,
      triggers: { disk_usage: { warning: 0.7 } },
    })

    const store = await openStore(world)
    expect(store.slaSnapshot().thresholds).toMatchObject({
      hold_ms: 5000,
      triggers: { disk_usage: { warning: 0.7, emergency: 0.9 } },
    })
    const changed = await store.setSlaThresholds({ clear_ms: 30_000 })
    expect(changed).toMatchObject({ hold_ms: 5000, clear_ms: 30_000 })
    await expect(store.setSlaThresholds({ clear_ms: -1 })).rejects.toThrow(
      /patch: clear_ms must be an integer at least 0 and at most \d+, got -1/,
    )
    await expect(
      store.setSlaThresholds({ triggers: { memory_usage: { warning: 0.99 } } }),
    ).rejects.toThrow(/triggers\.memory_usage\.warning must be below/)
    await store.close()
    open.pop()
    const next = await openStore(world)
    expect(next.slaSnapshot().thresholds).toMatchObject({ hold_ms: 5000, clear_ms: 30_000 })
    await next.close()
    open.pop()
    // The rename into place and the directory are synced: a power cut keeps the new file.
    const rebooted = world.disk.powerLoss()
    const reread: unknown = JSON.parse(
      (await rebooted.readFile(`${DIR}/${SLA_FILE_NAME}`)).toString(),
    )
    expect(reread).toMatchObject({ hold_ms: 5000, clear_ms: 30_000 })
  })

  it('an unusable sla.json does not refuse the open: the defaults apply and the problem is shown until a valid change replaces the file', async () => {
    const world = new World()
    await openStore(world).then((store) => store.close())
    open.pop()
    await writeFile(world, SLA_FILE_NAME, { triggers: { disk_usage: { warning: 'high' } } })
    const store = await openStore(world)
    const [problem] = store.slaSnapshot().problems ?? []
    expect(problem).toMatch(
      /sla\.json: triggers\.disk_usage\.warning must be a number .*got "high".*default thresholds apply/,
    )
    expect(store.slaSnapshot().thresholds.triggers.disk_usage.warning).toBe(0.8)
    expect(store.health().components.find((c) => c.name === 'sla')).toMatchObject({
      status: 'degraded',
    })
    await store.setSlaThresholds({ hold_ms: 1000 })
    expect(store.slaSnapshot().problems).toBeUndefined()
    expect(store.healthSummary().status).toBe('healthy')
  })

  it('a reader applies a change while it is open and never writes sla.json', async () => {
    const world = new World()
    await openStore(world).then((store) => store.close())
    open.pop()
    const reader = await openStore(world, { access: 'read' })
    await reader.setSlaThresholds({ hold_ms: 1000 })
    expect(reader.slaSnapshot().thresholds.hold_ms).toBe(1000)
    expect(await world.disk.size(`${DIR}/${SLA_FILE_NAME}`)).toBeNull()
  })
})

describe('health of a store', () => {
  it('reports the original fields and the components from the injected sources', async () => {
    const world = new World()
    world.diskUsage = 0.82
    const store = await openStore(world)
    await store.appendBatch([ordinaryEvent(1), ordinaryEvent(2)])
    await store.append(ordinaryEvent(3))
    await store.query({})
    await step(world, store)
    const health = store.health()
    expect(health).toMatchObject({
      status: 'degraded',
      current_sequence: 3,
      log_file_count: 1,
      disk_free_bytes: 180_000_000,
      append_error_rate: 0,
      query_error_rate: 0,
      mode: 'writable',
      sla_level: 'NORMAL',
      append_queue: { events: 0, bytes: 0 },
      resources: { disk_usage: 0.82, open_fds: 20, fd_limit: 1024 },
    })
    expect(health.disk_usage_bytes).toBeGreaterThan(0)
    expect(health.average_append_latency_ms).toBeGreaterThan(0)
    expect(health.components.find((c) => c.name === 'disk')).toMatchObject({
      status: 'degraded',
      detail: '82.0% used',
    })
    expect(store.healthSummary()).toEqual({
      status: health.status,
      current_sequence: 3,
      events_per_second: health.events_per_second,
      disk_usage_bytes: health.disk_usage_bytes,
      disk_free_bytes: health.disk_free_bytes,
      log_file_count: 1,
      average_append_latency_ms: health.average_append_latency_ms,
      average_query_latency_ms: health.average_query_latency_ms,
      append_error_rate: 0,
      query_error_rate: 0,
      checked_at: health.checked_at,
    })
  })
})

async function writeFile(world: World, name: string, value: unknown): Promise<void> {
  const handle = await world.disk.create(`${DIR}/${name}`)
  await handle.write([Buffer.from(JSON.stringify(value))], 0)
  await handle.datasync()
  await handle.close()
  await world.disk.syncDir(DIR)
}
