import { describe, expect, it } from 'vitest'
import { readdirSync, readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { EventStore } from '../../../src/main/engine/eventStore'
import type { StoreAnalysis } from '../../../src/main/engine/analyzeStore'
import { afterTailCut, analyzeStore } from '../../../src/main/engine/analyzeStore'
import { nodeFileSystem } from '../../../src/main/engine/nodeFileSystem'
import { SEGMENT_HEADER_BYTES } from '../../../src/main/engine/segmentHeader'
import { CLEAN_FILE, readIdentity } from '../../../src/main/engine/storeDirectory'
import { appendGarbage, truncateAt } from '../../support/corrupt'
import { tempDir } from '../../support/tempDir'

/**
 * afterTailCut stands in for a second scan of the newest log once a writer has cut its torn
 * tail: for every shape of torn tail, it must say exactly what a fresh analysis says.
 */

const event = (n: number) => ({ event_type: 'agent_heartbeat', aggregate_id: `a-${n % 3}` })

async function analyze(dir: string): Promise<StoreAnalysis> {
  const storeId = Buffer.from((await readIdentity(nodeFileSystem, dir)).store_id, 'hex')
  return analyzeStore(nodeFileSystem, dir, {
    storeId,
    deep: false,
    checkDigest: true,
    writerActive: false,
  })
}

/** A store of sealed segments and a raw log ending in a batch of three, as a crash leaves it. */
async function crashedStore(): Promise<{ dir: string; log: string }> {
  const dir = `${tempDir()}/store`
  const store = await EventStore.open(dir, { create: true, segmentBytesMax: 4096 })
  for (let n = 0; n < 40; n++) await store.append(event(n))
  await store.appendBatch([event(1), event(2), event(3)])
  await store.idle()
  await store.close()
  rmSync(join(dir, CLEAN_FILE))
  const log = readdirSync(dir).find((name) => name.endsWith('.log'))!
  return { dir, log: join(dir, log) }
}

const tornTails: { shape: string; tear: (log: string) => void }[] = [
  {
    shape: 'the start of a record that was never finished',
    tear: (log) => appendGarbage(log, readFileSync(log).subarray(SEGMENT_HEADER_BYTES, 100)),
  },
  {
    shape: 'a batch whose last record is cut short',
    tear: (log) => truncateAt(log, readFileSync(log).length - 5),
  },
]

describe('afterTailCut', () => {
  it.each(tornTails)('says what a fresh scan says after cutting $shape', async ({ tear }) => {
    const { dir, log } = await crashedStore()
    tear(log)
    const torn = await analyze(dir)
    expect(torn.problems.map((problem) => problem.kind)).toEqual(['torn'])
    truncateAt(log, torn.segments.at(-1)!.damage!.cutOffset)

    const fresh = await analyze(dir)
    expect(fresh.problems).toEqual([])
    expect(afterTailCut(torn)).toEqual(fresh)
  })

  it('refuses an analysis without a torn tail to cut', async () => {
    const { dir } = await crashedStore()
    const intact = await analyze(dir)
    expect(intact.problems).toEqual([])
    expect(() => afterTailCut(intact)).toThrow(/invariant violated/)
  })
})
