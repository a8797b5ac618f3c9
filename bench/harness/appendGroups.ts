import * as fs from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { EventInput } from '../../src/shared/event'
import { latencyFigures } from '../stats'
import { benchEvents, engineRecords } from './benchEvents'
import type { BenchResults } from './benchResults'
import type { EventWriter, OpenWriter } from './eventWriters'
import { levelWriter, openEngineWriter, rawWriter, sqliteWriter } from './eventWriters'
import type { HarnessOptions } from './harnessOptions'
import { interleave } from './interleave'
import type { Peers } from './peers'

export const SINGLE = 'durable single append (1 writer)'
export const concurrentGroup = (writers: number) => `durable concurrent append (${writers} writers)`
export const BATCH = 'durable batch of 100'
export const BATCH_SIZE = 100
export const CONCURRENT_WRITERS = [8, 64] as const

export const RAW_ASYNC = 'raw write+fdatasync (callbacks)'
export const RAW_SYNC = 'raw write+fdatasync (sync calls)'
export const ENGINE = 'engine'
export const SQLITE = 'SQLite WAL, synchronous=FULL'
export const LEVEL = 'LevelDB, sync:true'

/** A Workload appends `events` through a writer and returns each acknowledgement's latency. */
type Workload = (writer: EventWriter, events: EventInput[]) => Promise<number[]>

const oneAtATime: Workload = async (writer, events) => {
  const latencies: number[] = []
  for (const event of events) {
    const started = performance.now()
    await writer.append(event)
    latencies.push(performance.now() - started)
  }
  return latencies
}

const concurrently =
  (writers: number): Workload =>
  async (writer, events) => {
    const latencies: number[] = []
    let next = 0
    const appender = async () => {
      while (next < events.length) {
        const event = events[next++]!
        const started = performance.now()
        await writer.append(event)
        latencies.push(performance.now() - started)
      }
    }
    await Promise.all(Array.from({ length: writers }, appender))
    return latencies
  }

const inBatches: Workload = async (writer, events) => {
  const latencies: number[] = []
  for (let i = 0; i < events.length; i += BATCH_SIZE) {
    const started = performance.now()
    await writer.appendBatch(events.slice(i, i + BATCH_SIZE))
    latencies.push(performance.now() - started)
  }
  return latencies
}

/**
 * appendTrial runs a workload on a fresh directory (opening and closing are not timed) and
 * records the rate and the acknowledgement latencies (per batch for batches).
 */
function appendTrial(
  results: BenchResults,
  group: string,
  contender: string,
  open: OpenWriter,
  workload: Workload,
  events: EventInput[],
) {
  return {
    contender,
    run: async () => {
      const dir = fs.mkdtempSync(join(tmpdir(), 'lhs-harness-append-'))
      try {
        const writer = await open(dir)
        const started = performance.now()
        const latencies = await workload(writer, events)
        const seconds = (performance.now() - started) / 1000
        await writer.close()
        const at = { group, contender }
        results.add({ ...at, metric: 'rate', unit: 'events/s' }, events.length / seconds)
        const figures = latencyFigures(latencies)
        const latency = (metric: string, value: number) =>
          results.add({ ...at, metric, unit: 'ms', better: 'lower' }, value)
        latency('p50', figures.p50Ms)
        latency('p95', figures.p95Ms)
        latency('p99', figures.p99Ms)
        latency('p99.9', figures.p999Ms)
      } finally {
        fs.rmSync(dir, { recursive: true, force: true })
      }
    },
  }
}

/** appendGroups measures durable appends: one writer, concurrent writers, batches of 100. */
export async function appendGroups(
  options: HarnessOptions,
  peers: Peers,
  results: BenchResults,
): Promise<void> {
  const count = Math.max(options.singleEvents, options.concurrentEvents, options.batchEvents)
  const events = benchEvents(count)
  const records = engineRecords(events)
  const sqlite = sqliteWriter(peers)
  const level = levelWriter(peers)
  const single = events.slice(0, options.singleEvents)
  const trial = (group: string, name: string, open: OpenWriter, work: Workload, of: EventInput[]) =>
    appendTrial(results, group, name, open, work, of)
  const trials = [
    trial(SINGLE, RAW_ASYNC, rawWriter(records, 'async'), oneAtATime, single),
    trial(SINGLE, RAW_SYNC, rawWriter(records, 'sync'), oneAtATime, single),
    trial(SINGLE, ENGINE, openEngineWriter, oneAtATime, single),
    trial(SINGLE, SQLITE, sqlite, oneAtATime, single),
    trial(SINGLE, LEVEL, level, oneAtATime, single),
  ]
  const concurrent = events.slice(0, options.concurrentEvents)
  for (const writers of CONCURRENT_WRITERS) {
    const group = concurrentGroup(writers)
    for (const [name, open] of [
      [ENGINE, openEngineWriter],
      [SQLITE, sqlite],
      [LEVEL, level],
    ] as const) {
      trials.push(trial(group, name, open, concurrently(writers), concurrent))
    }
  }
  const batched = events.slice(0, options.batchEvents)
  trials.push(
    trial(BATCH, RAW_ASYNC, rawWriter(records, 'async'), inBatches, batched),
    trial(BATCH, ENGINE, openEngineWriter, inBatches, batched),
    trial(BATCH, SQLITE, sqlite, inBatches, batched),
    trial(BATCH, LEVEL, level, inBatches, batched),
  )
  await interleave(trials, options.rounds)
  results.notes.push(
    "SQLite's calls are synchronous, so its concurrent writers take turns on one connection; " +
      'LevelDB runs up to four writes at once on the thread pool and groups them itself.',
  )
}
