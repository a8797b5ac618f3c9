import { describe, expect, it } from 'vitest'
import {
  EventIdClock,
  defaultNodeId,
  formatEventId,
  parseEventId,
} from '../../../src/main/engine/eventId'
import { EventStore } from '../../../src/main/engine/eventStore'
import { tempDir } from '../../support/tempDir'

describe('event ids', () => {
  it('parse from the left, so node ids with underscores survive', () => {
    const id = formatEventId(1795751634229000123n, 42, 'node_with_under_scores')
    expect(id).toBe('1795751634229000123_42_node_with_under_scores')
    expect(parseEventId(id)).toEqual({
      timestampNs: 1795751634229000123n,
      sequence: 42,
      nodeId: 'node_with_under_scores',
    })
  })

  it.each(['', '12_3', 'x_1_node', '1_0_node', '1_2_bad node', '1_2_'])('reject %j', (id) => {
    expect(parseEventId(id)).toBeNull()
  })

  it('stay strictly increasing when the wall clock steps back', () => {
    const times = [1000, 1000, 999, 500, 1001, 1001]
    const clock = new EventIdClock(() => times.shift()!)
    const seen = Array.from({ length: 6 }, () => clock.next().ns)
    for (let i = 1; i < seen.length; i++) expect(seen[i]! > seen[i - 1]!).toBe(true)
    expect(seen[0]).toBe(1000n * 1_000_000n)
    expect(seen[4]).toBe(1001n * 1_000_000n)
  })

  it('stay strictly increasing across a restart whose clock is behind', async () => {
    const dir = `${tempDir()}/store`
    const store = await EventStore.open(dir, {
      create: true,
      nodeId: 'n_1',
      nowMs: () => 5_000_000,
    })
    const first = await store.append({ event_type: 't', aggregate_id: 'a' })
    await store.close()
    const again = await EventStore.open(dir, { nodeId: 'n_1', nowMs: () => 1_000 })
    const second = await again.append({ event_type: 't', aggregate_id: 'a' })
    await again.close()
    expect(parseEventId(second.event_id)!.timestampNs).toBeGreaterThan(
      parseEventId(first.event_id)!.timestampNs,
    )
  })

  it('default node id is a cleaned host name', () => {
    expect(defaultNodeId('my host (eu)')).toBe('my-host--eu-')
    expect(defaultNodeId('')).toBe('node')
  })
})
