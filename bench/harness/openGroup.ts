import { once } from 'node:events'
import * as fs from 'node:fs'
import { join } from 'node:path'
import { EventStore } from '../../src/main/engine/eventStore'
import { CLEAN_FILE } from '../../src/main/engine/storeDirectory'
import { CountingFileSystem } from '../../test/support/countingFileSystem'
import { rawWorkerRun } from '../rawVerifyFloor'
import { ENGINE } from './appendGroups'
import { forkHarness } from './forkHarness'
import { benchEvents } from './benchEvents'
import type { BenchResults } from './benchResults'
import type { HarnessOptions } from './harnessOptions'
import { interleave } from './interleave'
import type { ReadStores } from './readStores'

export const OPEN = 'open as writer'
export const AFTER_CLEAN = 'after clean shutdown'
/** What a user waits for: the open and the first query, which needs the active index. */
export const AFTER_CLEAN_QUERY = 'after clean shutdown: open + first query (1000 by type)'
export const AFTER_CRASH = 'after crash (killed mid-append)'
/** The crash-open's throughput over the files it read, and the raw floor's over the same. */
export const CRASH_RATE = 'after crash: uncompressed MB/s of the files it read'
export const CRASH_READ = 'after crash: MB read from disk'
export const RAW_READ_SHA = 'raw read + SHA-256 (+ gunzip of .gz) of those files, 1 thread'
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
 * crash. It runs after the other read groups: each crash adds a few events to the store.
 * Each crash repetition kills a fresh child; the open that follows repairs the store, and
 * closing it makes the next clean repetition clean again.
 *
 * The crash-open's raw counterpart comes from the same repetition: the open runs on a file
 * system that counts what it reads, and right after it one worker thread reads every file
 * it read, inflates the .gz ones and hashes them all with SHA-256. Both rates are over the
 * same uncompressed bytes, so their ratio is the raw floor's time over the open's.
 */
export async function openGroup(
  options: HarnessOptions,
  harnessFile: string,
  stores: ReadStores,
  results: BenchResults,
): Promise<void> {
  const add = (contender: string, metric: string, unit: string, value: number) =>
    results.add(
      { group: OPEN, contender, metric, unit, better: unit === 'MB/s' ? 'higher' : 'lower' },
      value,
    )
  /**
   * timeOpen opens and closes the store; `counting` sees only what the open itself read.
   * `queryMs` is the open and a first query, which reads the active segment's index in.
   */
  const timeOpen = async (counting?: CountingFileSystem) => {
    const started = performance.now()
    const store = await EventStore.open(stores.engineDir, { nodeId: 'bench', fs: counting })
    const ms = performance.now() - started
    const read = new Map(counting?.bytesRead)
    await store.query({ event_types: ['command_executed'], limit: 1000 })
    const queryMs = performance.now() - started
    await store.close()
    return { ms, read, queryMs }
  }
  const crash = async () => {
    const { child } = await forkHarness(harnessFile, [CRASH_CHILD_FLAG, stores.engineDir])
    const exited = once(child, 'exit')
    child.kill('SIGKILL')
    await exited
    if (fs.existsSync(join(stores.engineDir, CLEAN_FILE))) throw new Error('The crash left CLEAN.')
  }
  const openAfterCrash = async () => {
    await crash()
    const { ms, read } = await timeOpen(new CountingFileSystem())
    const paths = [...read.keys()].map((name) => join(stores.engineDir, name))
    const raw = await rawWorkerRun(paths.filter(fs.existsSync), { gunzip: true, hash: 'chunks' })
    add(ENGINE, AFTER_CRASH, 'ms', ms)
    add(ENGINE, CRASH_READ, 'MB', [...read.values()].reduce((sum, bytes) => sum + bytes, 0) / 1e6)
    add(ENGINE, CRASH_RATE, 'MB/s', raw.bytes / 1e3 / ms)
    add(RAW_READ_SHA, CRASH_RATE, 'MB/s', raw.bytes / 1e3 / raw.ms)
  }
  await interleave(
    [
      {
        contender: AFTER_CLEAN,
        run: async () => {
          const { ms, queryMs } = await timeOpen()
          add(ENGINE, AFTER_CLEAN, 'ms', ms)
          add(ENGINE, AFTER_CLEAN_QUERY, 'ms', queryMs)
        },
      },
      { contender: AFTER_CRASH, run: openAfterCrash },
    ],
    options.scanRounds,
  )
}
