import * as fs from 'node:fs'
import { join } from 'node:path'
import { EventStore } from '../../src/main/engine/eventStore'
import { readEventBatches } from '../../src/main/engine/replay'
import { MIB } from '../../src/main/engine/limits'
import { benchEventChunks } from './benchEvents'
import type { HarnessOptions } from './harnessOptions'
import type { Peers } from './peers'
import { SqliteEvents } from './sqliteEvents'

/**
 * ReadStores are the stores the read groups share, built once per run: an engine store of
 * the demo events (`events` counts what it holds) (its full segments sealed and indexed) and a SQLite database holding
 * exactly the same stored events (same sequences, ids and timestamps), copied from it.
 */
export interface ReadStores {
  engineDir: string
  sqlitePath: string
  events: number
  engineBuildSeconds: number
  sqliteBuildSeconds: number
}

const BUILD_BATCH = 1000

export async function buildReadStores(
  root: string,
  options: HarnessOptions,
  peers: Peers,
): Promise<ReadStores> {
  const engineDir = join(root, 'engine-store')
  const sqlitePath = join(root, 'events.sqlite')
  let started = performance.now()
  const store = await EventStore.open(engineDir, {
    create: true,
    nodeId: 'bench',
    segmentBytesMax: options.segmentMib * MIB,
    // No SLA evaluation while building: EMERGENCY on a loaded machine would refuse appends.
    monitor: { evaluateIntervalMs: null },
  })
  for (const chunk of benchEventChunks(options.storeEvents, BUILD_BATCH)) {
    await store.appendBatch(chunk)
  }
  await store.idle()
  await store.close()
  const engineBuildSeconds = (performance.now() - started) / 1000
  started = performance.now()
  fs.rmSync(sqlitePath, { force: true })
  const sqlite = new SqliteEvents(peers.openSqlite(sqlitePath))
  const reader = await EventStore.open(engineDir, { access: 'read' })
  // The store may hold more than it was given: the engine appends its own SLA transitions.
  const events = reader.lastSequence
  for await (const batch of readEventBatches(reader, 1)) sqlite.addAll(batch.events)
  await reader.close()
  sqlite.close()
  return {
    engineDir,
    sqlitePath,
    events,
    engineBuildSeconds,
    sqliteBuildSeconds: (performance.now() - started) / 1000,
  }
}
