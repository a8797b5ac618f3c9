import { existsSync } from 'node:fs'
import { mkdir, rename, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { EventStore } from '../engine/eventStore'
import { nodeFileSystem } from '../engine/nodeFileSystem'
import { STORE_FILE } from '../engine/storeDirectory'
import { DemoEvents } from './demoEvents'
import { DEMO_EVENTS, DEMO_SEED, DEMO_SEGMENT_BYTES_MAX, DEMO_STORE_DIR } from './hostLimits'

/** Events per batch while the demo store is built: a few batches per segment. */
const DEMO_BATCH_EVENTS = 100
/** The demo's event times end about now, spread over the hours before it. */
const DEMO_SPAN_MS = DEMO_EVENTS * 760

/**
 * ensureDemoStore returns the demo store's directory in `userDataDir`, building it first
 * when it is not there. It is built in a sibling directory and renamed into place, so an
 * interrupted build is never mistaken for the demo store (the next call starts it over).
 * Small segments while building give it several sealed segments and an active one.
 */
export async function ensureDemoStore(userDataDir: string): Promise<string> {
  const dir = join(userDataDir, DEMO_STORE_DIR)
  if (existsSync(join(dir, STORE_FILE))) return dir
  const building = `${dir}.building`
  await rm(building, { recursive: true, force: true })
  await mkdir(userDataDir, { recursive: true })
  const store = await EventStore.open(building, {
    create: true,
    segmentBytesMax: DEMO_SEGMENT_BYTES_MAX,
  })
  try {
    const events = new DemoEvents({ seed: DEMO_SEED, startMs: Date.now() - DEMO_SPAN_MS })
    for (let done = 0; done < DEMO_EVENTS; done += DEMO_BATCH_EVENTS) {
      await store.appendBatch(events.take(Math.min(DEMO_BATCH_EVENTS, DEMO_EVENTS - done)))
    }
    await store.idle()
  } finally {
    await store.close()
  }
  // A directory left by a build that failed after store.json appeared is replaced.
  await rm(dir, { recursive: true, force: true })
  await rename(building, dir)
  await nodeFileSystem.syncDir(userDataDir)
  return dir
}
