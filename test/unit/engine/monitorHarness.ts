import type { StoredEvent } from '../../../src/shared/event'
import type { SlaLevel, SlaTransition } from '../../../src/shared/sla'
import { EventStore } from '../../../src/main/engine/eventStore'
import type { OpenOptions } from '../../../src/main/engine/eventStore'
import type { FileHandle, FileSystem } from '../../../src/main/engine/fileSystem'
import { SLA_EVALUATE_INTERVAL_MS } from '../../../src/main/engine/limits'
import type { ResourceProbes } from '../../../src/main/engine/sla/resourceMonitor'
import { SLA_AGGREGATE_ID } from '../../../src/main/engine/sla/transitionEvent'
import { FaultFileSystem } from '../../support/faultFileSystem'

/**
 * A monitored store on the in-memory disk, with everything the SLA monitor measures in
 * the test's hands: the clock (moved only by `step`), the disk fill and the memory use
 * (the resource probes), and fsync (`gate` holds every datasync until opened, so the
 * append queue fills deterministically). The store never evaluates by itself: `step`
 * advances the clock one evaluation interval and evaluates, as the timer would.
 */

export const DIR = '/data/store'
export const DISK_TOTAL_BYTES = 1_000_000_000
export const MEMORY_TOTAL_BYTES = 8_000_000_000
const HOST = 'test-host'
let nextPid = 5000

/** DatasyncGate holds every datasync while closed; opening it lets them all finish. */
export class DatasyncGate {
  private waiting: (() => void)[] = []
  private closed = false

  close(): void {
    this.closed = true
  }

  open(): void {
    this.closed = false
    for (const release of this.waiting.splice(0)) release()
  }

  pass(): Promise<void> {
    if (!this.closed) return Promise.resolve()
    return new Promise((resolve) => this.waiting.push(resolve))
  }
}

/** gatedFileSystem is `inner` with every handle's datasync held by `gate`. */
export function gatedFileSystem(inner: FileSystem, gate: DatasyncGate): FileSystem {
  const wrap = (handle: FileHandle): FileHandle => ({
    read: (...args) => handle.read(...args),
    write: (...args) => handle.write(...args),
    datasync: async () => {
      await gate.pass()
      await handle.datasync()
    },
    truncate: (length) => handle.truncate(length),
    size: () => handle.size(),
    close: () => handle.close(),
  })
  return {
    open: async (path, mode) => wrap(await inner.open(path, mode)),
    create: async (path) => wrap(await inner.create(path)),
    readFile: (path) => inner.readFile(path),
    rename: (from, to) => inner.rename(from, to),
    unlink: (path) => inner.unlink(path),
    mkdir: (path) => inner.mkdir(path),
    readdir: (path) => inner.readdir(path),
    size: (path) => inner.size(path),
    syncDir: (path) => inner.syncDir(path),
  }
}

export class World {
  nowMs = Date.UTC(2026, 0, 1, 12)
  /** used / (used + available) of the store's filesystem, as df reports it. */
  diskUsage = 0.5
  /** RSS / MEMORY_TOTAL_BYTES. */
  memoryUsage = 0.1
  readonly disk = new FaultFileSystem({ dirs: ['/data'] })
  readonly gate = new DatasyncGate()
  readonly fs = gatedFileSystem(this.disk, this.gate)

  readonly probes: ResourceProbes = {
    statfs: async () => {
      const available = Math.round((1 - this.diskUsage) * DISK_TOTAL_BYTES)
      return { bsize: 1, blocks: DISK_TOTAL_BYTES, bfree: available, bavail: available }
    },
    memoryUsage: () => ({
      rss: Math.round(this.memoryUsage * MEMORY_TOTAL_BYTES),
      heapUsed: 1000,
      heapTotal: 2000,
    }),
    totalMemory: () => MEMORY_TOTAL_BYTES,
    openFds: async () => 20,
    fdLimit: async () => 1024,
  }

  /** open opens the store as a new writer process (a reader with `access: 'read'`). */
  open(extra: OpenOptions = {}): Promise<EventStore> {
    return EventStore.open(DIR, {
      fs: this.fs,
      nowMs: () => this.nowMs,
      hostname: HOST,
      pid: nextPid++,
      isAlive: () => false,
      create: true,
      monitor: { probes: this.probes, evaluateIntervalMs: null },
      ...extra,
    })
  }
}

/** step advances the clock by `ms`, evaluating every interval; returns the transitions made. */
export async function step(
  world: World,
  store: EventStore,
  ms = SLA_EVALUATE_INTERVAL_MS,
): Promise<SlaTransition[]> {
  const made: SlaTransition[] = []
  for (let elapsed = 0; elapsed < ms; elapsed += SLA_EVALUATE_INTERVAL_MS) {
    world.nowMs += SLA_EVALUATE_INTERVAL_MS
    const transition = await store.evaluateSla()
    if (transition) made.push(transition)
  }
  return made
}

/** stepUntil evaluates until the level is `level`, failing after `limitMs` of store time. */
export async function stepUntil(
  world: World,
  store: EventStore,
  level: SlaLevel,
  limitMs = 5 * 60_000,
): Promise<number> {
  const start = world.nowMs
  while (store.slaSnapshot().level !== level) {
    if (world.nowMs - start > limitMs) {
      throw new Error(`the level stayed ${store.slaSnapshot().level}, not ${level}`)
    }
    await step(world, store)
  }
  return world.nowMs - start
}

/** allEvents reads every stored event, in order. */
export async function allEvents(store: EventStore): Promise<StoredEvent[]> {
  const events: StoredEvent[] = []
  await store.readAll((event) => events.push(event))
  return events
}

/** transitionEvents are the events the store wrote about its SLA level, in order. */
export async function transitionEvents(store: EventStore): Promise<StoredEvent[]> {
  return (await allEvents(store)).filter((event) => event.aggregate_id === SLA_AGGREGATE_ID)
}

export const ordinaryEvent = (n: number) => ({
  event_type: 'agent_heartbeat',
  aggregate_id: `agent-${n % 7}`,
  data: { n },
})

/** codeOf is the code a rejected append ended with ('ok' when it was acknowledged). */
export async function codeOf(pending: Promise<unknown>): Promise<string> {
  try {
    await pending
    return 'ok'
  } catch (error) {
    return (error as { code?: string }).code ?? String(error)
  }
}
