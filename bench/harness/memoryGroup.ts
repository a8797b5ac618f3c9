import { once } from 'node:events'
import { EventStore } from '../../src/main/engine/eventStore'
import { forkHarness } from './forkHarness'
import { ENGINE } from './appendGroups'
import type { BenchResults } from './benchResults'
import type { HarnessOptions } from './harnessOptions'
import type { ReadStores } from './readStores'

export const MEMORY = 'resident memory, store open as writer'
export const RSS_PER_EVENT = 'RSS bytes per event'
export const HEAP_PER_1000 = 'heap KB per 1000 events'
/** The flag that makes the harness a child that measures one open store's memory. */
export const MEMORY_CHILD_FLAG = '--memory-child'

interface MemoryGrowth {
  rssBytes: number
  heapBytes: number
}

function memoryNow(): { rss: number; heap: number } {
  const collect = (globalThis as { gc?: () => void }).gc
  if (!collect) throw new Error('The memory child needs --expose-gc.')
  collect()
  collect()
  const usage = process.memoryUsage()
  return { rss: usage.rss, heap: usage.heapUsed + usage.arrayBuffers }
}

/**
 * memoryChild (run in a fresh process, so nothing else is resident) opens the store as its
 * writer, asks one query of each kind so the caches a live store keeps are filled, and
 * reports how much the resident set and the heap grew.
 */
export async function memoryChild(dir: string): Promise<void> {
  const before = memoryNow()
  const store = await EventStore.open(dir, { nodeId: 'bench' })
  for (const query of [
    { aggregate_ids: ['agent-atlas'] },
    { event_types: ['command_executed'] },
    { correlation_id: 'corr-000001' },
  ]) {
    await store.query({ ...query, limit: 1000 })
  }
  await store.idle()
  const after = memoryNow()
  const growth: MemoryGrowth = {
    rssBytes: after.rss - before.rss,
    heapBytes: after.heap - before.heap,
  }
  process.send?.(growth)
  await store.close()
}

/** memoryGroup measures one open in a fresh child process per repetition. */
export async function memoryGroup(
  options: HarnessOptions,
  harnessFile: string,
  stores: ReadStores,
  results: BenchResults,
): Promise<void> {
  for (let repetition = 0; repetition < options.scanRounds; repetition++) {
    const { child, message } = await forkHarness(
      harnessFile,
      [MEMORY_CHILD_FLAG, stores.engineDir],
      ['--expose-gc'],
    )
    await once(child, 'exit')
    const growth = message as MemoryGrowth
    const at = { group: MEMORY, contender: ENGINE, better: 'lower' as const }
    results.add({ ...at, metric: RSS_PER_EVENT, unit: 'B' }, growth.rssBytes / stores.events)
    results.add(
      { ...at, metric: HEAP_PER_1000, unit: 'KB' },
      growth.heapBytes / 1000 / (stores.events / 1000),
    )
  }
}
