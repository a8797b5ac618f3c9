import * as fs from 'node:fs'
import { join } from 'node:path'
import { EventStore } from '../../src/main/engine/eventStore'
import { decodeEventBatch } from '../../src/main/engine/eventBatchDecoder'
import { REPLAY_WINDOW_BYTES } from '../../src/main/engine/limits'
import { readEventBatches } from '../../src/main/engine/replay'
import { subscribe } from '../../src/main/engine/subscription'
import { ENGINE } from './appendGroups'
import type { BenchResults } from './benchResults'
import type { HarnessOptions } from './harnessOptions'
import { interleave } from './interleave'
import type { Peers } from './peers'
import { SQLITE_INDEXED } from './queryGroup'
import type { ReadStores } from './readStores'
import { sealedPayloads } from '../sealedPayloads'
import { SqliteEvents } from './sqliteEvents'

export const REPLAY = 'replay all'
export const REPLAY_RATE = 'events/s decoded'
export const FIRST_DELIVERY = 'subscription from 1: first delivery'
export const RESUME = 'resume from a checkpoint 10,000 events before the end'
export const DECODE_AS_STORED =
  'one segment decoded as stored, in memory, on one thread (no disk, no gunzip)'
export const ONE_THREAD = 'engine without the payload worker (inflating on the pool, cut here)'
const RESUME_EVENTS = 10_000
/** DECODE_AS_STORED decodes its segment's payloads this many times per repetition. */
const DECODE_PASSES = 3

/**
 * replayGroup reads the whole store decoded, in sequence order: the engine's replay from
 * its sealed segments (and the same replay without its payload worker, which shows what the
 * worker gives) against a full scan of SQLite's table (rows decoded into events),
 * and decoding alone: the payloads of one sealed segment, already inflated in memory,
 * decoded as stored by the engine's decoder in windows of the replay's size. That was the
 * floor under a replay until the payload workers rewrote maps as records
 * (recordsFromMaps.ts), which decode about four times faster: now it is an orientation.
 * The engine's repetition also times a subscription's first delivery from sequence 1 and a
 * reader resuming near the end (open included), the ADR's other two replay figures.
 */
export async function replayGroup(
  options: HarnessOptions,
  peers: Peers,
  stores: ReadStores,
  results: BenchResults,
): Promise<void> {
  const seconds = (started: number) => (performance.now() - started) / 1000
  const engine = async () => {
    const store = await EventStore.open(stores.engineDir, { access: 'read' })
    let events = 0
    const started = performance.now()
    for await (const batch of readEventBatches(store, 1)) events += batch.events.length
    const at = { group: REPLAY, contender: ENGINE }
    results.add({ ...at, metric: REPLAY_RATE, unit: 'events/s' }, events / seconds(started))
    const subscribed = performance.now()
    const firstMs = await new Promise<number>((resolve) => {
      const subscription = subscribe(store, {
        fromSequence: 1,
        onEvents: () => {
          resolve(performance.now() - subscribed)
          void subscription.close()
        },
      })
    })
    results.add({ ...at, metric: FIRST_DELIVERY, unit: 'ms', better: 'lower' }, firstMs)
    await store.close()
    if (events !== stores.events) throw new Error(`engine replayed ${events} of ${stores.events}`)
    const resumed = performance.now()
    const reader = await EventStore.open(stores.engineDir, { access: 'read' })
    const from = Math.max(1, stores.events - RESUME_EVENTS + 1)
    for await (const batch of readEventBatches(reader, from)) void batch
    await reader.close()
    results.add({ ...at, metric: RESUME, unit: 'ms', better: 'lower' }, seconds(resumed) * 1000)
  }
  const oneThread = async () => {
    const store = await EventStore.open(stores.engineDir, { access: 'read' })
    let events = 0
    const started = performance.now()
    for await (const batch of readEventBatches(store, 1, { cutter: null })) {
      events += batch.events.length
    }
    const at = { group: REPLAY, contender: ONE_THREAD, metric: REPLAY_RATE }
    results.add({ ...at, unit: 'events/s' }, events / seconds(started))
    await store.close()
    if (events !== stores.events) throw new Error(`one thread replayed ${events}`)
  }
  const sqlite = async () => {
    const db = new SqliteEvents(peers.openSqlite(stores.sqlitePath))
    let events = 0
    const started = performance.now()
    db.scan(() => events++)
    const at = { group: REPLAY, contender: SQLITE_INDEXED, metric: REPLAY_RATE }
    results.add({ ...at, unit: 'events/s' }, events / seconds(started))
    db.close()
    if (events !== stores.events) throw new Error(`SQLite scanned ${events} of ${stores.events}`)
  }
  const payloads = firstSealedPayloads(stores.engineDir)
  const floor = (): Promise<void> => {
    const window = Math.max(1, Math.floor(REPLAY_WINDOW_BYTES / averageLength(payloads)))
    const started = performance.now()
    for (let pass = 0; pass < DECODE_PASSES; pass++) {
      for (let i = 0; i < payloads.length; i += window) {
        decodeEventBatch(payloads.slice(i, i + window))
      }
    }
    const rate = (payloads.length * DECODE_PASSES) / seconds(started)
    results.add(
      { group: REPLAY, contender: DECODE_AS_STORED, metric: REPLAY_RATE, unit: 'events/s' },
      rate,
    )
    return Promise.resolve()
  }
  await interleave(
    [
      { contender: ENGINE, run: engine },
      { contender: ONE_THREAD, run: oneThread },
      { contender: SQLITE_INDEXED, run: sqlite },
      { contender: DECODE_AS_STORED, run: floor },
    ],
    options.scanRounds,
  )
}

/** firstSealedPayloads returns the event payloads of the store's first sealed segment. */
function firstSealedPayloads(dir: string): Buffer[] {
  const name = fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.log.gz'))
    .sort()[0]
  if (!name) throw new Error(`${dir} has no sealed segment to decode`)
  return sealedPayloads(join(dir, name))
}

function averageLength(payloads: readonly Buffer[]): number {
  return payloads.reduce((sum, payload) => sum + payload.length, 0) / payloads.length
}
