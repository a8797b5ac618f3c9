import { EventStore } from '../src/main/engine/eventStore'
import { sampleEvent } from './sampleEvents'

/**
 * buildStore creates a store of `events` sample events in batches of 1000 and closes it
 * once every full segment is sealed (gzip members and index files written), so the
 * benchmarks read what a long-lived store holds.
 */
export async function buildStore(
  dir: string,
  events: number,
  segmentBytesMax: number,
): Promise<void> {
  // No SLA evaluation while building: on a loaded machine it could enter EMERGENCY and
  // refuse the build's appends, which measure nothing here.
  const store = await EventStore.open(dir, {
    create: true,
    segmentBytesMax,
    monitor: { evaluateIntervalMs: null },
  })
  for (let i = 0; i < events; i += 1000) {
    const batch = Array.from({ length: Math.min(1000, events - i) }, (_, k) => sampleEvent(i + k))
    await store.appendBatch(batch)
  }
  await store.idle()
  await store.close()
}
