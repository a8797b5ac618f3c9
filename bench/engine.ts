/**
 * The engine benchmark: durable appends of the engine side by side with the physical
 * floor (a raw write + fdatasync loop) in one run, interleaved, several repetitions.
 * Prints medians with min/max and the ratios. Not a test: it asserts nothing.
 *
 * It ends with what latency recording costs (StoreMetrics, OpenOptions.recordLatency): the
 * same single and concurrent append cases with recording on and off, paired in each round
 * with the order alternating, so a drift in the machine hits both sides alike.
 *
 *   npm run bench:engine             full run
 *   npm run bench:engine -- --quick  small smoke (CI runs it to check the harness works)
 */
import * as fs from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { OpenOptions } from '../src/main/engine/eventStore'
import { EventStore } from '../src/main/engine/eventStore'
import { buildEvent, encodeEvent } from '../src/main/engine/eventCodec'
import { encodeRecord } from '../src/main/engine/recordCodec'
import { sampleEvent } from './sampleEvents'
import { median, percentile } from './stats'

const quick = process.argv.includes('--quick')
const REPEATS = quick ? 1 : 5
const SINGLE_COUNT = quick ? 200 : 3000
const CONCURRENT_COUNT = quick ? 2000 : 64_000
const BATCH_COUNT = quick ? 2000 : 100_000
const CONCURRENCY = 64
const BATCH_SIZE = 100
/** Paired on/off rounds of the recording-cost cases: more than REPEATS, the effect is small. */
const RECORDING_ROUNDS = quick ? 1 : 10

interface Sample {
  eventsPerSecond: number
  p50Ms?: number
  p99Ms?: number
}

type Case = () => Promise<Sample>

/** One realistic record, encoded the way the engine encodes it, for the raw loops. */
function sampleRecord(): Buffer {
  const assigned = { sequence: 1, eventId: `${Date.now()}000000_1_bench`, appendedAtMs: Date.now() }
  const payload = encodeEvent(buildEvent(sampleEvent(1), assigned), '')
  return encodeRecord(
    { sequence: 1, batchIndex: 0, batchCount: 1, payloadLength: payload.length },
    payload,
  )
}

function freshDir(): string {
  return fs.mkdtempSync(join(tmpdir(), 'lhs-bench-'))
}

function latencySample(count: number, started: number, latencies: number[]): Sample {
  const seconds = (performance.now() - started) / 1000
  latencies.sort((a, b) => a - b)
  return {
    eventsPerSecond: count / seconds,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
  }
}

const callbackWrite = (fd: number, buffer: Buffer, position: number) =>
  new Promise<void>((resolve, reject) =>
    fs.write(fd, buffer, 0, buffer.length, position, (e) => (e ? reject(e) : resolve())),
  )
const callbackSync = (fd: number) =>
  new Promise<void>((resolve, reject) => fs.fdatasync(fd, (e) => (e ? reject(e) : resolve())))

/** rawLoop writes `count` records `perSync` at a time, each write followed by fdatasync. */
function rawLoop(count: number, perSync: number, mode: 'async' | 'sync'): Case {
  return async () => {
    const dir = freshDir()
    const fd = fs.openSync(join(dir, 'raw.log'), 'w')
    const group = Buffer.concat(Array.from({ length: perSync }, () => sampleRecord()))
    const latencies: number[] = []
    const started = performance.now()
    let position = 0
    for (let done = 0; done < count; done += perSync) {
      const t = performance.now()
      if (mode === 'sync') {
        fs.writeSync(fd, group, 0, group.length, position)
        fs.fdatasyncSync(fd)
      } else {
        await callbackWrite(fd, group, position)
        await callbackSync(fd)
      }
      position += group.length
      latencies.push(performance.now() - t)
    }
    const sample = latencySample(count, started, latencies)
    fs.closeSync(fd)
    fs.rmSync(dir, { recursive: true, force: true })
    return sample
  }
}

type EngineBody = (store: EventStore, latencies: number[]) => Promise<void>

/** engineCase opens a fresh store, runs `body` with it, and closes it. */
function engineCase(count: number, body: EngineBody, options: OpenOptions = {}): Case {
  return async () => {
    const dir = freshDir()
    const store = await EventStore.open(join(dir, 'store'), {
      create: true,
      nodeId: 'bench',
      ...options,
    })
    const latencies: number[] = []
    const started = performance.now()
    await body(store, latencies)
    const sample = latencySample(count, started, latencies)
    await store.close()
    fs.rmSync(dir, { recursive: true, force: true })
    return sample
  }
}

const singleAppends: EngineBody = async (store, latencies) => {
  for (let i = 0; i < SINGLE_COUNT; i++) {
    const t = performance.now()
    await store.append(sampleEvent(i))
    latencies.push(performance.now() - t)
  }
}

const concurrentAppends: EngineBody = async (store, latencies) => {
  let next = 0
  const worker = async () => {
    while (next < CONCURRENT_COUNT) {
      const i = next++
      const t = performance.now()
      await store.append(sampleEvent(i))
      latencies.push(performance.now() - t)
    }
  }
  await Promise.all(Array.from({ length: CONCURRENCY }, worker))
}

const engineBatches = engineCase(BATCH_COUNT, async (store, latencies) => {
  for (let i = 0; i < BATCH_COUNT; i += BATCH_SIZE) {
    const batch = Array.from({ length: BATCH_SIZE }, (_, k) => sampleEvent(i + k))
    const t = performance.now()
    await store.appendBatch(batch)
    latencies.push(performance.now() - t)
  }
})

const CASES: Record<string, Case> = {
  'raw async write+fdatasync, 1 per sync': rawLoop(SINGLE_COUNT, 1, 'async'),
  'raw sync write+fdatasync, 1 per sync': rawLoop(SINGLE_COUNT, 1, 'sync'),
  'engine single durable append': engineCase(SINGLE_COUNT, singleAppends),
  [`engine ${CONCURRENCY} concurrent appenders`]: engineCase(CONCURRENT_COUNT, concurrentAppends),
  [`raw async, ${BATCH_SIZE} per sync`]: rawLoop(BATCH_COUNT, BATCH_SIZE, 'async'),
  [`engine batches of ${BATCH_SIZE}`]: engineBatches,
}

function summarize(samples: Sample[]) {
  const rates = samples.map((s) => s.eventsPerSecond).sort((a, b) => a - b)
  return {
    median: median(rates),
    min: rates[0] ?? 0,
    max: rates.at(-1) ?? 0,
    p50Ms: median(samples.map((s) => s.p50Ms ?? 0).sort((a, b) => a - b)),
    p99Ms: median(samples.map((s) => s.p99Ms ?? 0).sort((a, b) => a - b)),
  }
}

async function main(): Promise<void> {
  const results = new Map<string, Sample[]>()
  // Interleave: every case once per round, so drift in the machine hits all of them alike.
  for (let round = 0; round < REPEATS; round++) {
    for (const [name, run] of Object.entries(CASES)) {
      const sample = await run()
      results.set(name, [...(results.get(name) ?? []), sample])
    }
  }
  const rows = [...results].map(([name, samples]) => ({ name, ...summarize(samples) }))
  const width = Math.max(...rows.map((r) => r.name.length))
  console.log(
    `engine benchmark (${REPEATS} rounds${quick ? ', quick' : ''}), ~${sampleRecord().length} B records`,
  )
  console.log(`${'case'.padEnd(width)}  median ev/s   (min - max)            p50 ms  p99 ms`)
  for (const r of rows) {
    const range = `(${Math.round(r.min)} - ${Math.round(r.max)})`.padEnd(22)
    console.log(
      `${r.name.padEnd(width)}  ${String(Math.round(r.median)).padStart(11)}   ${range} ${r.p50Ms.toFixed(3).padStart(6)}  ${r.p99Ms.toFixed(3).padStart(6)}`,
    )
  }
  const rate = (name: string) => rows.find((r) => r.name === name)?.median ?? Number.NaN
  const ratio = (a: string, b: string) => `${(rate(a) / rate(b)).toFixed(2)}x`
  console.log('\nratios (medians of the same run)')
  console.log(
    `  engine single / raw async single:   ${ratio('engine single durable append', 'raw async write+fdatasync, 1 per sync')}  (goal >= 0.8x)`,
  )
  console.log(
    `  engine single / raw sync single:    ${ratio('engine single durable append', 'raw sync write+fdatasync, 1 per sync')}`,
  )
  console.log(
    `  engine ${CONCURRENCY} concurrent / raw async single: ${ratio(`engine ${CONCURRENCY} concurrent appenders`, 'raw async write+fdatasync, 1 per sync')}  (goal >= 100,000 ev/s absolute)`,
  )
  console.log(
    `  engine batch ${BATCH_SIZE} / raw async ${BATCH_SIZE} per sync: ${ratio(`engine batches of ${BATCH_SIZE}`, `raw async, ${BATCH_SIZE} per sync`)}  (goal >= 150,000 ev/s absolute)`,
  )
}

/** The cases whose cost of latency recording is measured: [name, events, body]. */
const RECORDING_CASES: [string, number, EngineBody][] = [
  ['single durable append', SINGLE_COUNT, singleAppends],
  [`${CONCURRENCY} concurrent appenders`, CONCURRENT_COUNT, concurrentAppends],
]

/** recordingCost prints each case's rate with recording on and off, and their ratio. */
async function recordingCost(): Promise<void> {
  const rates = new Map<string, { on: number[]; off: number[]; ratios: number[] }>()
  for (let round = 0; round < RECORDING_ROUNDS; round++) {
    for (const [name, count, body] of RECORDING_CASES) {
      const order = round % 2 === 0 ? [true, false] : [false, true]
      const pair = new Map<boolean, number>()
      for (const recordLatency of order) {
        const sample = await engineCase(count, body, { recordLatency })()
        pair.set(recordLatency, sample.eventsPerSecond)
      }
      const entry = rates.get(name) ?? { on: [], off: [], ratios: [] }
      entry.on.push(pair.get(true)!)
      entry.off.push(pair.get(false)!)
      entry.ratios.push(pair.get(true)! / pair.get(false)!)
      rates.set(name, entry)
    }
  }
  console.log(
    `\nlatency recording cost (${RECORDING_ROUNDS} paired rounds, on/off order alternating)`,
  )
  console.log('case                     on ev/s    off ev/s   on/off (median of pairs)  cost')
  for (const [name, { on, off, ratios }] of rates) {
    const ratio = median(ratios)
    console.log(
      `${name.padEnd(24)} ${String(Math.round(median(on))).padStart(8)}  ${String(Math.round(median(off))).padStart(9)}   ${ratio.toFixed(3).padStart(8)} (min ${Math.min(...ratios).toFixed(3)}, max ${Math.max(...ratios).toFixed(3)})  ${((1 - ratio) * 100).toFixed(1)}%`,
    )
  }
  console.log('  (goal: cost <= 2%; a negative cost is noise)')
}

main()
  .then(recordingCost)
  .catch((error: unknown) => {
    console.error(error)
    process.exitCode = 1
  })
