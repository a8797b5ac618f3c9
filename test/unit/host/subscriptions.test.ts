import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { PushBatch } from '../../../src/shared/push'
import { PUSH_BATCH_EVENTS_MAX, PUSH_INTERVAL_MS } from '../../../src/shared/push'
import { tempDir } from '../../support/tempDir'
import { Recorder, connect, errorCode, makeHost, smallEvent, until, value } from './hostHarness'

/**
 * Subscriptions through the host: catch-up then live with no gap and no duplicate while
 * appends run, pushes batched per client, and a client that does not keep up losing its
 * subscriptions (never slowing the appends).
 */
function sequencesOf(recorder: Recorder, subscriptionId: string): number[] {
  return recorder
    .of('events')
    .filter((p) => p.subscription_id === subscriptionId)
    .flatMap((p) => p.events.map((e) => e.sequence))
}

describe('StoreHost subscriptions', () => {
  it('delivers stored events and then live ones, with no gap and no duplicate, while appends run', async () => {
    const { host } = makeHost()
    const { client, recorder } = connect(host)
    const { handle } = value(await client.createStore({ path: join(tempDir(), 's') }))
    for (let n = 0; n < 30; n++) {
      value(
        await client.append({
          handle,
          events: Array.from({ length: 50 }, (_, i) => smallEvent(n * 50 + i)),
        }),
      )
    }
    const appending = (async () => {
      for (let n = 0; n < 40; n++)
        value(await client.append({ handle, events: [smallEvent(n), smallEvent(n + 1)] }))
    })()
    const { subscription_id } = value(
      await client.subscribe({ handle, filter: {}, from_sequence: 1 }),
    )
    await appending
    const total = 30 * 50 + 40 * 2
    await until(
      'every event delivered',
      () => sequencesOf(recorder, subscription_id).length >= total,
    )
    expect(sequencesOf(recorder, subscription_id)).toEqual(
      Array.from({ length: total }, (_, i) => i + 1),
    )
  })

  it('applies the filter and starts live by default', async () => {
    const { host } = makeHost()
    const { client, recorder } = connect(host)
    const { handle } = value(await client.createStore({ path: join(tempDir(), 's') }))
    value(await client.append({ handle, events: [smallEvent(1)] }))
    const { subscription_id } = value(
      await client.subscribe({ handle, filter: { aggregate_ids: ['agent-2'] } }),
    )
    value(await client.append({ handle, events: [smallEvent(2), smallEvent(3), smallEvent(7)] }))
    await until(
      'the two matching events',
      () => sequencesOf(recorder, subscription_id).length === 2,
    )
    expect(sequencesOf(recorder, subscription_id)).toEqual([2, 4])
  })

  it('sends live events in batches at most every PUSH_INTERVAL_MS, each within PUSH_BATCH_EVENTS_MAX', async () => {
    const { host } = makeHost()
    const { client, recorder } = connect(host)
    const { handle } = value(await client.createStore({ path: join(tempDir(), 's') }))
    const { subscription_id } = value(await client.subscribe({ handle, filter: {} }))
    for (let n = 0; n < 20; n++) value(await client.append({ handle, events: [smallEvent(n)] }))
    await until('all 20 events', () => sequencesOf(recorder, subscription_id).length === 20)
    const withEvents = recorder.batches.filter((b) => b.batch.some((p) => p.type === 'events'))
    // 20 fsynced appends take well over one interval, yet arrive in fewer batches than appends.
    expect(withEvents.length).toBeLessThan(20)
    for (let i = 1; i < recorder.batches.length; i++) {
      // Timers never fire early; 2 ms of slack covers the clock's rounding.
      expect(recorder.batches[i]!.atMs - recorder.batches[i - 1]!.atMs).toBeGreaterThanOrEqual(
        PUSH_INTERVAL_MS - 2,
      )
    }
    for (const { batch } of recorder.batches) {
      const events = batch.reduce((n, p) => n + (p.type === 'events' ? p.events.length : 1), 0)
      expect(events).toBeLessThanOrEqual(PUSH_BATCH_EVENTS_MAX)
    }
  })

  it('ends the subscriptions of a client whose sink does not drain with `overflow`, without slowing appends', async () => {
    const { host } = makeHost()
    const { client: fast, recorder: fastPushes } = connect(host)
    let release: () => void = () => undefined
    const gate = new Promise<void>((resolve) => (release = resolve))
    const slowPushes = new Recorder()
    const slow = host.connect(async (batch: PushBatch) => {
      slowPushes.sink(batch)
      await gate
    })
    const { handle } = value(await fast.createStore({ path: join(tempDir(), 's') }))
    const { subscription_id } = value(await slow.subscribe({ handle, filter: {} }))
    const drained = value(await fast.subscribe({ handle, filter: {} }))
    const total = 35_000
    // Every append completes while the slow sink is still blocked: appends never wait for it.
    for (let done = 0; done < total; done += 1000) {
      value(
        await fast.append({
          handle,
          events: Array.from({ length: 1000 }, (_, i) => smallEvent(i)),
        }),
      )
    }
    release()
    await until('the overflow push', () =>
      slowPushes
        .of('subscription_ended')
        .some((p) => p.subscription_id === subscription_id && p.reason === 'overflow'),
    )
    expect(sequencesOf(slowPushes, subscription_id).length).toBeLessThan(total)
    expect(errorCode(await slow.unsubscribe({ subscription_id }))).toBe('not_found')
    // The client that keeps up gets every event.
    await until(
      'the fast client to get everything',
      () => sequencesOf(fastPushes, drained.subscription_id).length === total,
    )
    await slow.close()
  })

  it('ends subscriptions with `store_closed` when their store closes, and `closed` on unsubscribe', async () => {
    const { host } = makeHost()
    const { client, recorder } = connect(host)
    const { handle } = value(await client.createStore({ path: join(tempDir(), 's') }))
    const first = value(await client.subscribe({ handle, filter: {} }))
    const second = value(await client.subscribe({ handle, filter: {} }))
    value(await client.unsubscribe(first))
    value(await client.closeStore({ handle }))
    await until('both ends', () => recorder.of('subscription_ended').length === 2)
    expect(recorder.of('subscription_ended').map((p) => [p.subscription_id, p.reason])).toEqual([
      [first.subscription_id, 'closed'],
      [second.subscription_id, 'store_closed'],
    ])
  })
})
