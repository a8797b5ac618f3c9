import { describe, expect, it } from 'vitest'
import { readFileSync } from 'node:fs'
import { EventStore } from '../../../src/main/engine/eventStore'
import { IDEMPOTENCY_KEYS_MAX, IDEMPOTENCY_WINDOW_MS } from '../../../src/main/engine/limits'
import { tempDir } from '../../support/tempDir'

const on = (aggregate: string, extra: object = {}) => ({
  event_type: 'shadow_updated',
  aggregate_id: aggregate,
  ...extra,
})

async function count(store: EventStore): Promise<number> {
  return (await store.query({ limit: 1 })).total_count
}

describe('optimistic concurrency', () => {
  it('accepts an append whose expected version holds and refuses one that does not, storing nothing', async () => {
    const store = await EventStore.open(`${tempDir()}/store`, { create: true })
    await store.append(on('a'), { expected_versions: { a: 'no_stream' } })
    await store.append(on('a'), { expected_versions: { a: 1 } })
    await expect(
      store.append(on('a'), { expected_versions: { a: 'no_stream' } }),
    ).rejects.toMatchObject({
      code: 'version_conflict',
      message: expect.stringMatching(
        /Aggregate a has 2 events, but the append expected no events/,
      ) as unknown,
    })
    await expect(
      store.appendBatch([on('b'), on('a')], { expected_versions: { a: 2, b: 1 } }),
    ).rejects.toMatchObject({ code: 'version_conflict' })
    expect(await count(store)).toBe(2)
    expect(
      (await store.appendBatch([on('b'), on('a')], { expected_versions: { a: 2, b: 'no_stream' } }))
        .length,
    ).toBe(2)
    expect(store.inspect().last_sequence).toBe(4)
    await store.close()
  })

  it('lets exactly one of many concurrent writers with the same expectation win', async () => {
    const store = await EventStore.open(`${tempDir()}/store`, { create: true })
    await store.append(on('race'))
    const attempts = await Promise.allSettled(
      Array.from({ length: 20 }, () =>
        store.append(on('race'), { expected_versions: { race: 1 } }),
      ),
    )
    expect(attempts.filter((a) => a.status === 'fulfilled')).toHaveLength(1)
    expect(
      attempts.filter((a) => a.status === 'rejected').map((a) => a.reason as { code: string }),
    ).toEqual(
      Array.from(
        { length: 19 },
        () => expect.objectContaining({ code: 'version_conflict' }) as unknown,
      ),
    )
    await store.close()
  })

  it('counts appends made while the first count of an aggregate is still reading the log', async () => {
    const store = await EventStore.open(`${tempDir()}/store`, {
      create: true,
      segmentBytesMax: 4096,
    })
    for (let i = 0; i < 50; i++) await store.append(on('busy'))
    const racing = Array.from({ length: 10 }, () => store.append(on('busy')))
    const checked = store.append(on('busy'), { expected_versions: { busy: 60 } })
    await Promise.all(racing)
    expect((await checked).sequence).toBe(61)
    await store.close()
  })

  it('knows every aggregate version again after a restart', async () => {
    const dir = `${tempDir()}/store`
    const store = await EventStore.open(dir, { create: true, segmentBytesMax: 4096 })
    for (let i = 0; i < 30; i++) await store.append(on(`agg-${i % 3}`))
    await store.close()
    const again = await EventStore.open(dir, { segmentBytesMax: 4096 })
    await expect(
      again.append(on('agg-1'), { expected_versions: { 'agg-1': 9 } }),
    ).rejects.toMatchObject({
      code: 'version_conflict',
    })
    expect((await again.append(on('agg-1'), { expected_versions: { 'agg-1': 10 } })).sequence).toBe(
      31,
    )
    await again.close()
  })

  it.each([
    [[1], 'expected_versions', 'must be an object'],
    [{ a: -1 }, 'expected_versions.a', 'whole number'],
    [{ a: 'latest' }, 'expected_versions.a', '"no_stream"'],
  ])('refuses expected_versions %j naming %s', async (expected, field, words) => {
    const store = await EventStore.open(`${tempDir()}/store`, { create: true })
    await expect(
      store.append(on('a'), { expected_versions: expected as never }),
    ).rejects.toMatchObject({
      code: 'validation',
      field,
    })
    await expect(store.append(on('a'), { expected_versions: expected as never })).rejects.toThrow(
      words,
    )
    await store.close()
  })
})

describe('idempotency', () => {
  it('returns the original result for a retried key instead of storing the event twice', async () => {
    const store = await EventStore.open(`${tempDir()}/store`, { create: true })
    const first = await store.append(on('a', { idempotency_key: 'k-1' }))
    const retry = await store.append(on('a', { idempotency_key: 'k-1', data: { changed: true } }))
    expect(retry).toEqual(first)
    expect(await count(store)).toBe(1)
    expect((await store.getBySequence(1))?.idempotency_key).toBe('k-1')
    await store.close()
  })

  it('stores a key once when concurrent retries race', async () => {
    const store = await EventStore.open(`${tempDir()}/store`, { create: true })
    const results = await Promise.all(
      Array.from({ length: 10 }, () => store.append(on('a', { idempotency_key: 'same' }))),
    )
    expect(new Set(results.map((r) => r.event_id)).size).toBe(1)
    expect(await count(store)).toBe(1)
    await store.close()
  })

  it('remembers keys across a restart, so a retry after a crash is safe', async () => {
    const dir = `${tempDir()}/store`
    const store = await EventStore.open(dir, { create: true, segmentBytesMax: 4096 })
    const originals = await store.appendBatch(
      Array.from({ length: 5 }, (_, i) => on('a', { idempotency_key: `b-${i}` })),
    )
    for (let i = 0; i < 40; i++) await store.append(on('filler'))
    await store.close()
    const again = await EventStore.open(dir, { segmentBytesMax: 4096 })
    const retried = await again.appendBatch(
      Array.from({ length: 5 }, (_, i) => on('a', { idempotency_key: `b-${i}` })),
    )
    expect(retried).toEqual(originals)
    expect(await count(again)).toBe(45)
    await again.close()
  })

  it('refuses a batch that mixes stored keys with new ones, and a key repeated within a batch', async () => {
    const store = await EventStore.open(`${tempDir()}/store`, { create: true })
    await store.append(on('a', { idempotency_key: 'old' }))
    await expect(
      store.appendBatch([on('a', { idempotency_key: 'old' }), on('a', { idempotency_key: 'new' })]),
    ).rejects.toMatchObject({
      code: 'idempotency_conflict',
    })
    await expect(
      store.appendBatch([on('a', { idempotency_key: 'x' }), on('a', { idempotency_key: 'x' })]),
    ).rejects.toMatchObject({
      code: 'validation',
      field: 'events[1].idempotency_key',
    })
    expect(await count(store)).toBe(1)
    await store.close()
  })

  it('forgets keys older than the window, and the oldest beyond its size', async () => {
    let now = Date.UTC(2026, 0, 1)
    const store = await EventStore.open(`${tempDir()}/store`, { create: true, nowMs: () => now })
    await store.append(on('a', { idempotency_key: 'aged' }))
    now += IDEMPOTENCY_WINDOW_MS + 1
    expect((await store.append(on('a', { idempotency_key: 'aged' }))).sequence).toBe(2)
    const keys = (from: number) =>
      Array.from({ length: 1000 }, (_, i) => on('a', { idempotency_key: `n-${from + i}` }))
    for (let i = 0; i <= IDEMPOTENCY_KEYS_MAX; i += 1000) await store.appendBatch(keys(i))
    const before = store.inspect().last_sequence!
    // n-0 was pushed out by the newer keys; the newest one is still remembered.
    expect((await store.append(on('a', { idempotency_key: 'n-0' }))).sequence).toBe(before + 1)
    expect(
      (await store.append(on('a', { idempotency_key: `n-${IDEMPOTENCY_KEYS_MAX}` }))).sequence,
    ).toBeLessThanOrEqual(before)
    await store.close()
  })
})

describe('idempotency across a clean restart', () => {
  it('saves the window in the clean-shutdown marker and restores it on open', async () => {
    const dir = `${tempDir()}/store`
    const store = await EventStore.open(dir, { create: true })
    const original = await store.append(on('a', { idempotency_key: 'clean-1' }))
    await store.close()
    const marker = JSON.parse(readFileSync(`${dir}/CLEAN`, 'utf8')) as { idempotency: unknown[] }
    expect(marker.idempotency).toEqual([
      ['clean-1', original.sequence, original.event_id, expect.any(Number)],
    ])
    const again = await EventStore.open(dir)
    expect(await again.append(on('a', { idempotency_key: 'clean-1' }))).toEqual(original)
    await again.close()
  })
})
