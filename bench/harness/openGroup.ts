import { once } from 'node:events'
import * as fs from 'node:fs'
import { join } from 'node:path'
import { EventStore } from '../../src/main/engine/eventStore'
import { CLEAN_FILE } from '../../src/main/engine/storeDirectory'
import { ENGINE } from './appendGroups'
import { forkHarness } from './forkHarness'
import { benchEvents } from './benchEvents'
import type { BenchResults } from './benchResults'
import type { HarnessOptions } from './harnessOptions'
import { interleave } from './interleave'
import type { ReadStores } from './readStores'

export const OPEN = 'open as writer'
export const AFTER_CLEAN = 'after clean shutdown'
export const AFTER_CRASH = 'after crash (killed mid-append)'
/** The flag that makes the harness a child that appends until it is killed. */
export const CRASH_CHILD_FLAG = '--crash-child'

/**
 * crashChild (run in a child process) opens the store, reports once appends are being
 * acknowledged, and keeps appending until the parent kills it with SIGKILL: a real crash,
 * with the lock held, no clean marker, and possibly a torn record at the tail.
 */
export async function crashChild(dir: string): Promise<void> {
  const store = await EventStore.open(dir, { nodeId: 'bench' })
  const events = benchEvents(100)
  for (let i = 0; ; i++) {
    await store.append(events[i % events.length])
    if (i === 10) process.send?.('appending')
  }
}

/**
 * openGroup times opening the read store as its writer after a clean close, and after a
 * crash. It runs after the other read groups: each crash adds a few events to the store. Each crash repetition kills a fresh child; the open that follows repairs the
 * store, and closing it makes the next clean repetition clean again.
 */
export async function openGroup(
  options: HarnessOptions,
  harnessFile: string,
  stores: ReadStores,
  results: BenchResults,
): Promise<void> {
  const timeOpen = async (metric: string) => {
    const started = performance.now()
    const store = await EventStore.open(stores.engineDir, { nodeId: 'bench' })
    const ms = performance.now() - started
    await store.close()
    results.add({ group: OPEN, contender: ENGINE, metric, unit: 'ms', better: 'lower' }, ms)
  }
  const crash = async () => {
    const { child } = await forkHarness(harnessFile, [CRASH_CHILD_FLAG, stores.engineDir])
    const exited = once(child, 'exit')
    child.kill('SIGKILL')
    await exited
    if (fs.existsSync(join(stores.engineDir, CLEAN_FILE))) throw new Error('The crash left CLEAN.')
  }
  await interleave(
    [
      { contender: AFTER_CLEAN, run: () => timeOpen(AFTER_CLEAN) },
      { contender: AFTER_CRASH, run: () => crash().then(() => timeOpen(AFTER_CRASH)) },
    ],
    options.scanRounds,
  )
}
