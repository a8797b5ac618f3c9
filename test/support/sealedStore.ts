import { readdirSync, readFileSync } from 'node:fs'
import { EventStore } from '../../src/main/engine/eventStore'
import type { OpenOptions } from '../../src/main/engine/eventStore'
import { decodeManifest } from '../../src/main/engine/manifest'
import type { SegmentManifest } from '../../src/main/engine/manifest'
import { tempDir } from './tempDir'

/** The i-th event of a test store: two types, seven aggregates, payloads of varied size. */
export function numberedEvent(i: number) {
  return {
    event_type: i % 2 === 0 ? 'agent_heartbeat' : 'command_received',
    aggregate_id: `agent-${i % 7}`,
    data: { i, note: `event number ${i}`, pad: 'p'.repeat(i % 211) },
  }
}

/** storeWith creates a store in a temp directory and appends `count` numbered events. */
export async function storeWith(count: number, options: OpenOptions = {}): Promise<EventStore> {
  const store = await EventStore.open(`${tempDir()}/store`, { create: true, ...options })
  for (let i = 1; i <= count; i += 100) {
    const size = Math.min(100, count - i + 1)
    await store.appendBatch(Array.from({ length: size }, (_, k) => numberedEvent(i + k)))
  }
  await store.idle()
  return store
}

/** firstSealed is the first sealed segment of a store directory, with its manifest. */
export function firstSealed(dir: string): {
  gzPath: string
  manifest: SegmentManifest
  number: number
} {
  const name = readdirSync(dir)
    .filter((n) => n.endsWith('.log.gz'))
    .sort()[0]
  if (!name) throw new Error(`no sealed segment in ${dir}`)
  const number = Number(/segment-(\d+)/.exec(name)![1])
  const manifest = decodeManifest(
    readFileSync(`${dir}/${name.replace('.log.gz', '.manifest.json')}`),
  )
  if (typeof manifest === 'string') throw new Error(manifest)
  return { gzPath: `${dir}/${name}`, manifest, number }
}
