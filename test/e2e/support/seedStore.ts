import type { EventInput } from '../../../src/shared/event'
import { EventStore, type OpenOptions } from '../../../src/main/engine/eventStore'

/**
 * seedStore creates a store in `dir` holding `events`, appended in batches of `batchEvents`,
 * and closes it, so serve opens a store with a known history. A batch is stored whole in
 * one segment: small batches with a small segmentBytesMax seal many segments.
 */
export async function seedStore(
  dir: string,
  events: EventInput[],
  options: OpenOptions & { batchEvents?: number } = {},
): Promise<void> {
  const { batchEvents = 100, ...openOptions } = options
  const store = await EventStore.open(dir, { create: true, ...openOptions })
  try {
    for (let start = 0; start < events.length; start += batchEvents) {
      await store.appendBatch(events.slice(start, start + batchEvents))
    }
  } finally {
    await store.close()
  }
}

/** heartbeats makes `count` plain events from one agent, numbered from `first`. */
export function heartbeats(count: number, first = 1): EventInput[] {
  return Array.from({ length: count }, (_, index) => ({
    event_type: 'agent_heartbeat',
    aggregate_id: `agent-${(first + index) % 4}`,
    aggregate_type: 'agent',
    source_agent: 'e2e',
    data: { n: first + index },
  }))
}
