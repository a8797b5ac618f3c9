/**
 * The query benchmark: builds a store of N events (sealed segments with their indexes),
 * then measures what the segment indexes cost in memory and what reads cost in time,
 * beside the raw floor (reading and inflating every file) from the same run. Not a test:
 * it asserts nothing.
 *
 *   npm run bench:query                          200,000 events
 *   npm run bench:query -- 1000000               N events
 *   npm run bench:query -- --quick               small smoke
 *   npm run bench:query -- --segment-mib 16      segment size (default 4 MiB)
 *   npm run bench:query -- --dir DIR             build the store in DIR once and keep it, so
 *                                                several builds can be compared on one store
 */
import * as fs from 'node:fs'
import { gunzipSync } from 'node:zlib'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { EventStore } from '../src/main/engine/eventStore'
import { SegmentIndexes } from '../src/main/engine/indexCache'
import { nodeFileSystem } from '../src/main/engine/nodeFileSystem'
import { buildStore } from './buildStore'
import { percentile } from './stats'

const quick = process.argv.includes('--quick')
const countArg = process.argv.slice(2).find((arg) => /^\d+$/.test(arg))
const EVENTS = quick ? 5000 : Number(countArg ?? 200_000)
const flag = (name: string) => {
  const at = process.argv.indexOf(name)
  return at > 0 ? process.argv[at + 1] : undefined
}
const SEGMENT_BYTES = quick ? 256 * 1024 : Number(flag('--segment-mib') ?? 4) * 1024 * 1024
const KEPT_DIR = flag('--dir')
const GETS = quick ? 200 : 2000
const gc = (globalThis as { gc?: () => void }).gc

async function timed(run: () => Promise<unknown>): Promise<number> {
  const started = performance.now()
  await run()
  return performance.now() - started
}

function heapBytes(): number {
  gc?.()
  gc?.()
  const usage = process.memoryUsage()
  return usage.heapUsed + usage.arrayBuffers
}

/** The raw floor: read every segment file and inflate the sealed ones. */
function rawRead(dir: string): { ms: number; bytes: number } {
  const started = performance.now()
  let bytes = 0
  for (const name of fs.readdirSync(dir)) {
    if (name.endsWith('.log.gz')) bytes += gunzipSync(fs.readFileSync(join(dir, name))).length
    else if (name.endsWith('.log')) bytes += fs.readFileSync(join(dir, name)).length
  }
  return { ms: performance.now() - started, bytes }
}

async function indexMemory(dir: string, sealed: number[], events: number): Promise<void> {
  const indexes = new SegmentIndexes(nodeFileSystem, dir)
  const before = heapBytes()
  for (const n of sealed) await indexes.load(n)
  const after = heapBytes()
  const perEvent = (after - before) / events
  console.log(
    `index summaries in memory: ${after - before} B for ${events} sealed events = ${perEvent.toFixed(2)} B/event` +
      (gc ? '' : ' (run with --expose-gc for a trustworthy figure)'),
  )
}

/** seededSequences picks `count` sequences in 1..events, the same ones every run. */
function seededSequences(count: number, events: number): number[] {
  let state = 12345
  return Array.from({ length: count }, () => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0
    return 1 + (state % events)
  })
}

async function main(): Promise<void> {
  const root = KEPT_DIR ?? fs.mkdtempSync(join(tmpdir(), 'lhs-bench-query-'))
  const dir = join(root, 'store')
  try {
    const buildMs = fs.existsSync(dir)
      ? 0
      : await timed(() => buildStore(dir, EVENTS, SEGMENT_BYTES))
    const files = fs.readdirSync(dir)
    const indexBytes = files
      .filter((n) => n.endsWith('.index'))
      .reduce((sum, n) => sum + fs.statSync(join(dir, n)).size, 0)
    console.log(
      `query benchmark: ${EVENTS} events built in ${(buildMs / 1000).toFixed(1)} s; ` +
        `${files.filter((n) => n.endsWith('.log.gz')).length} sealed segments, ` +
        `index files ${indexBytes} B (${(indexBytes / EVENTS).toFixed(1)} B/event on disk)`,
    )
    const raw = rawRead(dir)
    console.log(
      `raw floor: read + gunzip every file ${raw.ms.toFixed(0)} ms (${(raw.bytes / 1e6 / (raw.ms / 1000)).toFixed(0)} MB/s)`,
    )
    const openStarted = performance.now()
    const store = await EventStore.open(dir, { access: 'read' })
    console.log(`open (reader, indexes loaded): ${(performance.now() - openStarted).toFixed(1)} ms`)
    const segments = store.inspect().segments
    const sealed = segments.filter((s) => s.sealed)
    const sealedEvents = sealed.reduce((sum, s) => sum + s.records, 0)
    await indexMemory(
      dir,
      sealed.map((s) => Number(/(\d{10})/.exec(s.name)![1])),
      sealedEvents,
    )
    const bySequence: number[] = []
    const ids: string[] = []
    for (const sequence of seededSequences(GETS, EVENTS)) {
      let event
      bySequence.push(await timed(async () => (event = await store.getBySequence(sequence))))
      if (event) ids.push((event as { event_id: string }).event_id)
    }
    const byId: number[] = []
    for (const id of ids) byId.push(await timed(() => store.getEvent(id)))
    for (const [name, samples] of [
      ['get by sequence', bySequence],
      ['get by id', byId],
    ] as const) {
      samples.sort((a, b) => a - b)
      console.log(
        `${name}: p50 ${percentile(samples, 50).toFixed(3)} ms, p99 ${percentile(samples, 99).toFixed(3)} ms`,
      )
    }
    const timeOf = async (sequence: number) => (await store.getBySequence(sequence))!.timestamp
    const lastMs = Date.parse(await timeOf(store.lastSequence))
    const middle = Math.floor(EVENTS / 2)
    const from = await timeOf(middle)
    const queries = {
      'first 1000 by aggregate': { aggregate_ids: ['shadow-7'], limit: 1000 },
      'first 1000 by type': { event_types: ['command_executed'], limit: 1000 },
      'first 1000 by correlation': {
        correlation_id: `corr-${Math.floor(EVENTS / 8)}`,
        limit: 1000,
      },
      'first 1000 by time (last minute)': {
        after_timestamp: new Date(lastMs - 60_000).toISOString(),
        limit: 1000,
      },
      'time range (5,000 events mid-store)': {
        after_timestamp: from,
        before_timestamp: await timeOf(middle + Math.min(5000, Math.floor(EVENTS / 4))),
        limit: 1000,
      },
      'complex filter over 10,000 events': {
        after_timestamp: from,
        before_timestamp: await timeOf(middle + Math.min(10_000, Math.floor(EVENTS / 4)) + 1),
        event_types: ['command_executed', 'command_received'],
        source_agents: ['agent-1', 'agent-2', 'agent-3', 'agent-4'],
        data_contains: { status: 'ok' },
        limit: 1000,
      },
    }
    for (const [name, query] of Object.entries(queries)) {
      const samples: number[] = []
      let plan = ''
      for (let i = 0; i < 5; i++) {
        const started = performance.now()
        const result = await store.query(query)
        samples.push(performance.now() - started)
        plan = `${result.total_count} matches, ${result.plan.events_scanned} scanned, ${result.plan.segments_skipped.length}/${result.plan.segments_total} segments skipped, index: ${result.plan.index_used.join(', ') || 'none'}`
      }
      samples.sort((a, b) => a - b)
      console.log(`${name}: median ${percentile(samples, 50).toFixed(1)} ms (${plan})`)
    }
    console.log(`postings cache: ${store.indexes.cachedBytes} B (bound INDEX_CACHE_BYTES_MAX)`)
    await store.close()
  } finally {
    if (!KEPT_DIR) fs.rmSync(root, { recursive: true, force: true })
  }
}

main().catch((error: unknown) => {
  console.error(error)
  process.exitCode = 1
})
