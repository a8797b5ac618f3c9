/**
 * The replay benchmark: builds a store of N events (~500 B each) whose segments are nearly
 * all sealed, then measures replaying them decoded from the sealed segments, beside the raw
 * floors from the same run: reading the gzip files, and inflating them (whole, and member by
 * member as replay does). Also reports the memory a replay holds. Not a test: it asserts
 * nothing. Medians of several interleaved rounds.
 *
 *   npm run bench:replay                 200,000 events
 *   npm run bench:replay -- 1000000      N events
 *   npm run bench:replay -- --quick      small smoke
 */
import * as fs from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gunzipSync } from 'node:zlib'
import { EventStore } from '../src/main/engine/eventStore'
import { decodeEvent } from '../src/main/engine/eventCodec'
import { decodeEventBatch } from '../src/main/engine/eventBatchDecoder'
import { decodeManifest } from '../src/main/engine/manifest'
import { readEventBatches } from '../src/main/engine/replay'
import type { ReplayOptions } from '../src/main/engine/replay'
import { subscribe } from '../src/main/engine/subscription'
import { buildStore } from './buildStore'
import { sealedPayloads } from './sealedPayloads'
import { median } from './stats'

const quick = process.argv.includes('--quick')
const countArg = process.argv.slice(2).find((arg) => /^\d+$/.test(arg))
const EVENTS = quick ? 20_000 : Number(countArg ?? 200_000)
const SEGMENT_BYTES = quick ? 1024 * 1024 : 16 * 1024 * 1024
const ROUNDS = quick ? 1 : 5

interface Sample {
  ms: number
  events: number
  bytes: number
  /** Largest resident set seen while it ran, above the resident set before it. */
  rssGrowth?: number
}

interface Sealed {
  path: string
  members: [number, number][]
  rawBytes: number
  lastSequence: number
}

function sealedSegments(dir: string): Sealed[] {
  return fs
    .readdirSync(dir)
    .filter((name) => name.endsWith('.log.gz'))
    .sort()
    .map((name) => {
      const manifest = decodeManifest(
        fs.readFileSync(join(dir, name.replace('.log.gz', '.manifest.json'))),
      )
      if (typeof manifest === 'string') throw new Error(`${name}: ${manifest}`)
      return {
        path: join(dir, name),
        members: manifest.members,
        rawBytes: manifest.raw_bytes,
        lastSequence: manifest.last_sequence,
      }
    })
}

/** Floor 1: read the gzip files. */
function readFloor(sealed: Sealed[], events: number): Sample {
  const started = performance.now()
  let bytes = 0
  for (const s of sealed) bytes += fs.readFileSync(s.path).length
  return { ms: performance.now() - started, events, bytes }
}

/** Floor 2: read and inflate each gzip file whole, on this thread. */
function gunzipWholeFloor(sealed: Sealed[], events: number): Sample {
  const started = performance.now()
  let bytes = 0
  for (const s of sealed) bytes += gunzipSync(fs.readFileSync(s.path)).length
  return { ms: performance.now() - started, events, bytes }
}

/** Floor 3: read and inflate member by member, on this thread (what replay must do). */
function gunzipMembersFloor(sealed: Sealed[], events: number): Sample {
  const started = performance.now()
  let bytes = 0
  for (const s of sealed) {
    const gz = fs.readFileSync(s.path)
    s.members.forEach(([, gzStart], i) => {
      const gzEnd = s.members[i + 1]?.[1] ?? gz.length
      bytes += gunzipSync(gz.subarray(gzStart, gzEnd)).length
    })
  }
  return { ms: performance.now() - started, events, bytes }
}

/** Floor 4: decode every payload, already inflated and in memory (one by one, and in batches). */
function decodeFloor(payloads: Buffer[], batched: boolean): Sample {
  const started = performance.now()
  let events = 0
  if (batched) {
    for (let i = 0; i < payloads.length; i += 500) {
      events += decodeEventBatch(payloads.slice(i, i + 500)).length
    }
  } else {
    for (const payload of payloads) if (decodeEvent(payload)) events++
  }
  const bytes = payloads.reduce((sum, p) => sum + p.length, 0)
  return { ms: performance.now() - started, events, bytes }
}

/** payloadsOf inflates the sealed segments and cuts out every record's payload. */
function payloadsOf(sealed: Sealed[]): Buffer[] {
  return sealed.flatMap((s) => sealedPayloads(s.path))
}

/** rssWatch samples the resident set while `run` goes, and reports its growth. */
async function withRss(run: () => Promise<Omit<Sample, 'rssGrowth'>>): Promise<Sample> {
  const before = process.memoryUsage().rss
  let peak = before
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 5)
  const sample = await run()
  clearInterval(timer)
  peak = Math.max(peak, process.memoryUsage().rss)
  return { ...sample, rssGrowth: peak - before }
}

/**
 * The engine: replay decoded events from the sealed segments (no SHA-256 per read unless
 * `checkDigest`); `cutter: null` keeps the inflating on the replaying thread's side.
 */
function replayCase(dir: string, sealed: Sealed[], options: ReplayOptions) {
  return () =>
    withRss(async () => {
      const store = await EventStore.open(dir, { access: 'read' })
      const toSequence = sealed.at(-1)!.lastSequence
      const started = performance.now()
      let events = 0
      let check = 0
      for await (const batch of readEventBatches(store, 1, { ...options, toSequence })) {
        events += batch.events.length
        check += batch.events.at(-1)?.data.lines_changed === undefined ? 1 : 0
      }
      const ms = performance.now() - started
      await store.close()
      if (check !== 0 || events !== toSequence) throw new Error('replay lost events')
      return { ms, events, bytes: sealed.reduce((sum, s) => sum + s.rawBytes, 0) }
    })
}

/** The engine: a subscription catching up from 1 over the same events. */
function subscriptionCase(dir: string, sealed: Sealed[]) {
  return () =>
    withRss(async () => {
      const store = await EventStore.open(dir, { access: 'read' })
      const toSequence = sealed.at(-1)!.lastSequence
      let events = 0
      let firstMs = -1
      const started = performance.now()
      await new Promise<void>((resolve) => {
        const subscription = subscribe(store, {
          fromSequence: 1,
          filter: { before_sequence: toSequence + 1 },
          onEvents: (batch) => {
            if (firstMs < 0) firstMs = performance.now() - started
            events += batch.length
            if (events >= toSequence) void subscription.close().then(resolve)
          },
        })
      })
      const ms = performance.now() - started
      await store.close()
      firstDeliveryMs.push(firstMs)
      return { ms, events, bytes: sealed.reduce((sum, s) => sum + s.rawBytes, 0) }
    })
}

const firstDeliveryMs: number[] = []

async function main(): Promise<void> {
  const root = fs.mkdtempSync(join(tmpdir(), 'lhs-bench-replay-'))
  const dir = join(root, 'store')
  try {
    const buildStarted = performance.now()
    await buildStore(dir, EVENTS, SEGMENT_BYTES)
    const sealed = sealedSegments(dir)
    const events = sealed.at(-1)?.lastSequence ?? 0
    const gzBytes = sealed.reduce((sum, s) => sum + fs.statSync(s.path).size, 0)
    const rawBytes = sealed.reduce((sum, s) => sum + s.rawBytes, 0)
    console.log(
      `replay benchmark (${ROUNDS} rounds${quick ? ', quick' : ''}): ${EVENTS} events built in ` +
        `${((performance.now() - buildStarted) / 1000).toFixed(1)} s; ${sealed.length} sealed segments hold ` +
        `${events} events, ${(rawBytes / 1e6).toFixed(1)} MB raw, ${(gzBytes / 1e6).toFixed(1)} MB gzip`,
    )
    const payloads = payloadsOf(sealed)
    const cases: Record<string, () => Sample | Promise<Sample>> = {
      'raw: read gzip files': () => readFloor(sealed, events),
      'raw: read + gunzip whole files': () => gunzipWholeFloor(sealed, events),
      'raw: read + gunzip member by member': () => gunzipMembersFloor(sealed, events),
      'raw: decode payloads in memory, one by one': () => decodeFloor(payloads, false),
      'raw: decode payloads in memory, batches': () => decodeFloor(payloads, true),
      'engine: replay decoded': replayCase(dir, sealed, {}),
      'engine: replay decoded, no payload worker': replayCase(dir, sealed, { cutter: null }),
      'engine: replay decoded + SHA-256': replayCase(dir, sealed, { checkDigest: true }),
      'engine: subscription catch-up': subscriptionCase(dir, sealed),
    }
    const results = new Map<string, Sample[]>()
    for (let round = 0; round < ROUNDS; round++) {
      for (const [name, run] of Object.entries(cases)) {
        results.set(name, [...(results.get(name) ?? []), await run()])
      }
    }
    const width = Math.max(...[...results.keys()].map((name) => name.length))
    console.log(
      `${'case'.padEnd(width)}  median events/s   raw MB/s   (min - max events/s)   RSS growth`,
    )
    const rate = new Map<string, number>()
    for (const [name, samples] of results) {
      const rates = samples.map((s) => s.events / (s.ms / 1000))
      const mbs = median(samples.map((s) => s.bytes / 1e6 / (s.ms / 1000)))
      rate.set(name, median(rates))
      const growth = samples.some((s) => s.rssGrowth !== undefined)
        ? `${(median(samples.map((s) => s.rssGrowth ?? 0)) / 1e6).toFixed(1)} MB`
        : ''
      const range = `(${Math.round(Math.min(...rates))} - ${Math.round(Math.max(...rates))})`
      console.log(
        `${name.padEnd(width)}  ${String(Math.round(median(rates))).padStart(16)}   ${mbs.toFixed(0).padStart(8)}   ${range.padEnd(22)} ${growth}`,
      )
    }
    const ratio = (a: string, b: string) => ((rate.get(a) ?? 0) / (rate.get(b) ?? 1)).toFixed(2)
    console.log('\nratios (medians of the same run)')
    console.log(
      `  replay decoded / gunzip member by member: ${ratio('engine: replay decoded', 'raw: read + gunzip member by member')}x` +
        `  (goal: replay >= 250,000 events/s absolute)`,
    )
    console.log(
      `  replay decoded / gunzip whole files:      ${ratio('engine: replay decoded', 'raw: read + gunzip whole files')}x`,
    )
    console.log(
      `  replay decoded / decoding alone (batches): ${ratio('engine: replay decoded', 'raw: decode payloads in memory, batches')}x`,
    )
    console.log(
      `  replay decoded / the same without the payload worker: ${ratio('engine: replay decoded', 'engine: replay decoded, no payload worker')}x`,
    )
    console.log(
      `  subscription first delivery (catch-up from 1): median ${median(firstDeliveryMs).toFixed(1)} ms`,
    )
  } finally {
    fs.rmSync(root, { recursive: true, force: true })
  }
}

main().catch((error: unknown) => {
  console.error(error)
  process.exitCode = 1
})
