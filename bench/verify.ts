/**
 * The verification benchmark: the verification job over a store of ~150 MB, beside the raw
 * work it cannot avoid, measured in the same run on the same bytes. Every figure is
 * uncompressed bytes per second.
 *
 * The store is built once and kept in two forms holding the same segments: sealed (gzip
 * members) and raw (the same segments unpacked into raw logs). The raw floors run on fresh
 * worker threads, like the job, with 1 and with 2 threads:
 *   - SHA-256 of the uncompressed bytes in 1 MiB chunks (the hash's own ceiling),
 *   - SHA-256 of every record's payload on its own (the hashing the format asks for: each
 *     record stores the digest of its payload),
 *   - gunzip of the sealed files, alone and followed by the per-record SHA-256.
 * Then the job with 1 worker and with 2, and EventStore.verify (one thread) for comparison.
 * Rounds are interleaved so drift in the machine hits every case alike; medians are printed.
 * Not a test: it asserts nothing.
 *
 *   npm run bench:verify             full run (~150 MB, 3 rounds)
 *   npm run bench:verify -- --quick  small smoke (~8 MB, 1 round)
 *   options: --rounds N, --only TEXT (only the job and in-thread cases whose name holds TEXT)
 */
import * as fs from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as zlib from 'node:zlib'
import { EventStore } from '../src/main/engine/eventStore'
import { MIB } from '../src/main/engine/limits'
import { startVerification } from '../src/main/engine/verifyJob'
import { sampleEvent } from './sampleEvents'
import { median } from './stats'
import type { RawWork } from './rawVerifyFloor'
import { rawVerifyFloor } from './rawVerifyFloor'

const quick = process.argv.includes('--quick')
const ROUNDS = Number(optionValue('--rounds') ?? (quick ? 1 : 3))
const ONLY = optionValue('--only')
const STORE_BYTES = (quick ? 8 : 150) * MIB
const SEGMENT_BYTES = (quick ? 2 : 24) * MIB
const BATCH_SIZE = 1000

interface Stores {
  sealedDir: string
  rawDir: string
  sealedFiles: string[]
  rawFiles: string[]
  /** Uncompressed bytes of every segment (the same in both stores). */
  rawBytes: number
  gzBytes: number
  events: number
}

/**
 * buildStores appends sample events until the sealed segments hold STORE_BYTES, then drops
 * the active segment, so both stores hold exactly the sealed segments, once as gzip and
 * once unpacked.
 */
async function buildStores(parent: string): Promise<Stores> {
  const sealedDir = join(parent, 'sealed')
  const rawDir = join(parent, 'raw')
  const store = await EventStore.open(sealedDir, {
    create: true,
    nodeId: 'bench',
    segmentBytesMax: SEGMENT_BYTES,
  })
  let events = 0
  while (namesIn(sealedDir, '.log.gz').length * SEGMENT_BYTES < STORE_BYTES) {
    const batch = Array.from({ length: BATCH_SIZE }, (_, k) => sampleEvent(events + k))
    await store.appendBatch(batch)
    events += BATCH_SIZE
    await store.idle()
  }
  await store.close()
  for (const name of namesIn(sealedDir, '.log')) {
    events -= countRecords(fs.readFileSync(join(sealedDir, name)))
    fs.rmSync(join(sealedDir, name))
  }
  fs.rmSync(join(sealedDir, 'CLEAN'), { force: true })
  fs.mkdirSync(rawDir)
  fs.copyFileSync(join(sealedDir, 'store.json'), join(rawDir, 'store.json'))
  let rawBytes = 0
  let gzBytes = 0
  for (const name of namesIn(sealedDir, '.log.gz')) {
    const gz = fs.readFileSync(join(sealedDir, name))
    const raw = zlib.gunzipSync(gz)
    fs.writeFileSync(join(rawDir, name.slice(0, -'.gz'.length)), raw)
    rawBytes += raw.length
    gzBytes += gz.length
  }
  const paths = (dir: string, suffix: string) => namesIn(dir, suffix).map((n) => join(dir, n))
  return {
    sealedDir,
    rawDir,
    sealedFiles: paths(sealedDir, '.log.gz'),
    rawFiles: paths(rawDir, '.log'),
    rawBytes,
    gzBytes,
    events,
  }
}

function namesIn(dir: string, suffix: string): string[] {
  return fs
    .readdirSync(dir)
    .filter((name) => name.endsWith(suffix))
    .sort()
}

function countRecords(raw: Buffer): number {
  let count = 0
  for (let at = 64; at + 32 <= raw.length; at += 64 + raw.readUInt32BE(at + 8)) count++
  return count
}

/** A case does its work and says how many uncompressed bytes it covered. */
type Case = () => Promise<number>

const rawCase =
  (paths: string[], threads: number, work: RawWork): Case =>
  () =>
    rawVerifyFloor(paths, threads, work)

const job =
  (dir: string, workerCount: number): Case =>
  async () => {
    const result = await startVerification(dir, { workerCount }).done
    if (!result.ok) throw new Error(`verification of ${dir} found damage`)
    return result.raw_bytes_done
  }

const inThread =
  (dir: string, rawBytes: number): Case =>
  async () => {
    const report = await EventStore.verify(dir)
    if (!report.ok) throw new Error(`EventStore.verify of ${dir} found damage`)
    return rawBytes
  }

async function timed(run: Case): Promise<number> {
  const started = performance.now()
  const bytes = await run()
  return bytes / ((performance.now() - started) / 1000)
}

const mbps = (bytesPerSecond: number) => `${(bytesPerSecond / 1e6).toFixed(0)} MB/s`

const SHA_CHUNKS = 'SHA-256 in 1 MiB chunks'
const SHA_RECORDS = 'SHA-256 per record'
const GUNZIP = 'gunzip'
const GUNZIP_SHA = 'gunzip + SHA-256 per record'

function casesFor(stores: Stores): Record<string, Case> {
  const cases: Record<string, Case> = {}
  for (const threads of [1, 2]) {
    const t = `${threads} thread${threads > 1 ? 's' : ''}`
    const { rawFiles, sealedFiles } = stores
    cases[`raw ${SHA_CHUNKS}, ${t}`] = rawCase(rawFiles, threads, { gunzip: false, hash: 'chunks' })
    cases[`raw ${SHA_RECORDS}, ${t}`] = rawCase(rawFiles, threads, {
      gunzip: false,
      hash: 'records',
    })
    cases[`raw ${GUNZIP}, ${t}`] = rawCase(sealedFiles, threads, { gunzip: true, hash: 'none' })
    cases[`raw ${GUNZIP_SHA}, ${t}`] = rawCase(sealedFiles, threads, {
      gunzip: true,
      hash: 'records',
    })
  }
  for (const workers of [1, 2]) {
    const w = `${workers} worker${workers > 1 ? 's' : ''}`
    cases[`job, ${w}, raw logs`] = job(stores.rawDir, workers)
    cases[`job, ${w}, sealed`] = job(stores.sealedDir, workers)
  }
  cases['EventStore.verify (in-thread), raw logs'] = inThread(stores.rawDir, stores.rawBytes)
  cases['EventStore.verify (in-thread), sealed'] = inThread(stores.sealedDir, stores.rawBytes)
  for (const name of Object.keys(cases)) {
    if (ONLY !== undefined && !name.startsWith('raw') && !name.includes(ONLY)) delete cases[name]
  }
  return cases
}

function printRatios(rate: (name: string) => number): void {
  const percent = (a: string, b: string) => `${((rate(a) / rate(b)) * 100).toFixed(0)}%`
  const rows: [string, string][] = []
  for (const n of [1, 2]) {
    const w = `${n} worker${n > 1 ? 's' : ''}`
    const t = `${n} thread${n > 1 ? 's' : ''}`
    for (const [store, floors] of [
      ['raw logs', [SHA_RECORDS, SHA_CHUNKS]],
      ['sealed', [GUNZIP_SHA, GUNZIP]],
    ] as const) {
      for (const floor of floors) {
        const jobCase = `job, ${w}, ${store}`
        rows.push([`${jobCase} / raw ${floor}, ${t}`, percent(jobCase, `raw ${floor}, ${t}`)])
      }
    }
  }
  for (const store of ['raw logs', 'sealed']) {
    rows.push([
      `job, 2 workers / 1 worker, ${store}`,
      percent(`job, 2 workers, ${store}`, `job, 1 worker, ${store}`),
    ])
  }
  for (const floor of [SHA_RECORDS, GUNZIP]) {
    rows.push([
      `raw ${floor}, 2 threads / 1 thread (the machine)`,
      percent(`raw ${floor}, 2 threads`, `raw ${floor}, 1 thread`),
    ])
  }
  const width = Math.max(...rows.map(([label]) => label.length))
  console.log('\nratios of medians, same parallelism (goal >= 60%)')
  for (const [label, value] of rows) console.log(`  ${label.padEnd(width)}  ${value.padStart(5)}`)
}

async function main(): Promise<void> {
  const parent = fs.mkdtempSync(join(tmpdir(), 'lhs-bench-verify-'))
  try {
    const stores = await buildStores(parent)
    const cases = casesFor(stores)
    const samples = new Map<string, number[]>()
    for (let round = 0; round < ROUNDS; round++) {
      for (const [name, run] of Object.entries(cases)) {
        samples.set(name, [...(samples.get(name) ?? []), await timed(run)])
      }
    }
    const rate = (name: string) => median(samples.get(name) ?? [])
    const width = Math.max(...Object.keys(cases).map((name) => name.length))
    console.log(
      `verify benchmark (${ROUNDS} round${ROUNDS > 1 ? 's' : ''}${quick ? ', quick' : ''}): ` +
        `${stores.events} events in ${stores.sealedFiles.length} segments, ` +
        `${(stores.rawBytes / 1e6).toFixed(0)} MB uncompressed, ${(stores.gzBytes / 1e6).toFixed(0)} MB sealed; ` +
        `uncompressed MB/s, median (each round)`,
    )
    for (const name of Object.keys(cases)) {
      const all = (samples.get(name) ?? []).map((v) => (v / 1e6).toFixed(0)).join(', ')
      console.log(`  ${name.padEnd(width)}  ${mbps(rate(name)).padStart(10)}   (${all})`)
    }
    printRatios(rate)
  } finally {
    fs.rmSync(parent, { recursive: true, force: true })
  }
}

function optionValue(name: string): string | undefined {
  const at = process.argv.indexOf(name)
  return at >= 0 ? process.argv[at + 1] : undefined
}

main().catch((error: unknown) => {
  console.error(error)
  process.exitCode = 1
})
