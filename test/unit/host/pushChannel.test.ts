import { describe, expect, it } from 'vitest'
import type { StoredEvent } from '../../../src/shared/event'
import type { PushBatch } from '../../../src/shared/push'
import {
  PUSH_BATCH_EVENTS_MAX,
  PUSH_INTERVAL_MS,
  PUSH_QUEUE_EVENTS_MAX,
} from '../../../src/shared/push'
import type { JobInfo } from '../../../src/shared/storeApi'
import { PushChannel } from '../../../src/main/host/pushChannel'

/**
 * PushChannel batching, with the scheduler injected: the test decides when timers fire,
 * so the timing rules are checked exactly and never depend on the machine's speed.
 */
class ManualScheduler {
  pending: { run: () => void; delayMs: number }[] = []
  readonly schedule = (run: () => void, delayMs: number) => {
    const entry = { run, delayMs }
    this.pending.push(entry)
    return () => (this.pending = this.pending.filter((e) => e !== entry))
  }

  /** fire runs the timers that are due, as the event loop would, then lets promises settle. */
  async fire(): Promise<void> {
    const due = this.pending
    this.pending = []
    for (const entry of due) entry.run()
    await new Promise((resolve) => setImmediate(resolve))
  }
}

const events = (from: number, count: number) =>
  Array.from({ length: count }, (_, i) => ({ sequence: from + i }) as StoredEvent)

const job = (state: JobInfo['state']) => ({ job_id: 'j1', state }) as JobInfo

function channel(sink: (batch: PushBatch) => void | Promise<void> = () => undefined) {
  const scheduler = new ManualScheduler()
  const overflows: number[] = []
  const batches: PushBatch[] = []
  const ch = new PushChannel({
    sink: (batch) => {
      batches.push(batch)
      return sink(batch)
    },
    onOverflow: () => overflows.push(ch.queued),
    onSinkError: () => undefined,
    scheduler: scheduler.schedule,
  })
  return { ch, scheduler, overflows, batches }
}

describe('PushChannel', () => {
  it('holds pushes until the interval timer fires, then sends them as one batch', async () => {
    const { ch, scheduler, batches } = channel()
    ch.pushEvents('s1', events(1, 3))
    ch.pushEvents('s1', events(4, 2))
    ch.push({ type: 'job', job: job('running') })
    expect(batches).toHaveLength(0)
    expect(scheduler.pending.map((p) => p.delayMs)).toEqual([PUSH_INTERVAL_MS])
    await scheduler.fire()
    expect(batches).toHaveLength(1)
    const [first, second] = batches[0]!
    expect(first).toMatchObject({ type: 'events', subscription_id: 's1' })
    expect(first?.type === 'events' && first.events.map((e) => e.sequence)).toEqual([1, 2, 3, 4, 5])
    expect(second).toMatchObject({ type: 'job' })
  })

  it('flushes at once when a full batch is waiting, and never sends more than a full batch', async () => {
    const { ch, scheduler, batches } = channel()
    ch.pushEvents('s1', events(1, PUSH_BATCH_EVENTS_MAX + 10))
    expect(scheduler.pending.map((p) => p.delayMs)).toEqual([0])
    await scheduler.fire()
    const sizes = batches.map((b) =>
      b.reduce((n, p) => n + (p.type === 'events' ? p.events.length : 1), 0),
    )
    expect(sizes).toEqual([PUSH_BATCH_EVENTS_MAX])
    // The rest waits for the interval again.
    expect(scheduler.pending.map((p) => p.delayMs)).toEqual([PUSH_INTERVAL_MS])
    await scheduler.fire()
    expect(batches.at(-1)![0]).toMatchObject({ type: 'events' })
    expect(ch.queued).toBe(0)
  })

  it('replaces a queued state push with a newer one about the same job', async () => {
    const { ch, scheduler, batches } = channel()
    ch.push({ type: 'job', job: job('running') })
    ch.push({ type: 'job', job: job('done') })
    await scheduler.fire()
    expect(batches[0]).toEqual([{ type: 'job', job: job('done') }])
  })

  it('sends one batch at a time: the next waits until a slow sink has taken the last', async () => {
    let release: () => void = () => undefined
    const { ch, scheduler, batches } = channel(
      () => new Promise<void>((resolve) => (release = resolve)),
    )
    ch.pushEvents('s1', events(1, 1))
    await scheduler.fire()
    ch.pushEvents('s1', events(2, 1))
    expect(scheduler.pending).toHaveLength(0)
    release()
    await new Promise((resolve) => setImmediate(resolve))
    await scheduler.fire()
    expect(batches).toHaveLength(2)
  })

  it('reports overflow once more than PUSH_QUEUE_EVENTS_MAX events wait, and makes room when a subscription is dropped', async () => {
    const { ch, scheduler, overflows } = channel(() => new Promise<void>(() => undefined))
    ch.pushEvents('stuck', events(1, 1))
    await scheduler.fire() // the sink never settles: nothing more is sent
    ch.pushEvents('s1', events(2, PUSH_QUEUE_EVENTS_MAX / 2 + 1))
    let roomGiven = false
    void ch.room().then(() => (roomGiven = true))
    ch.pushEvents('s2', events(2, PUSH_QUEUE_EVENTS_MAX / 2))
    expect(overflows).toEqual([PUSH_QUEUE_EVENTS_MAX + 1])
    await Promise.resolve()
    expect(roomGiven).toBe(false)
    ch.dropSubscription('s1')
    ch.dropSubscription('s2')
    await Promise.resolve()
    expect(roomGiven).toBe(true)
    expect(ch.queued).toBe(0)
  })
})
