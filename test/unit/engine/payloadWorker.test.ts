import { spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { threadId } from 'node:worker_threads'
import { gunzipSync, gzipSync } from 'node:zlib'
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { CutRequest, CutRun } from '../../../src/main/engine/payloadCut'
import { cutPayloads } from '../../../src/main/engine/payloadCut'
import { PayloadCutter } from '../../../src/main/engine/payloadCutter'
import { decodeEvent } from '../../../src/main/engine/eventCodec'
import { decodeRecordRun } from '../../../src/main/engine/eventBatchDecoder'
import { readEventBatches } from '../../../src/main/engine/replay'
import { encodeManifest } from '../../../src/main/engine/manifest'
import type { SegmentManifest } from '../../../src/main/engine/manifest'
import { CorruptionError } from '../../../src/main/engine/errors'
import { encodeRecord, readRecord, RECORD_HEADER_BYTES } from '../../../src/main/engine/recordCodec'
import { EVENT_BYTES_MAX, PAYLOAD_WORKER_RUNS_MAX } from '../../../src/main/engine/limits'
import { SEGMENT_HEADER_BYTES } from '../../../src/main/engine/segmentHeader'
import { EventStore } from '../../../src/main/engine/eventStore'
import { useBundledWorker } from '../../support/bundledWorker'
import { flipByte } from '../../support/corrupt'
import { firstSealed, storeWith } from '../../support/sealedStore'
import { tempDir } from '../../support/tempDir'

/**
 * The payload worker: runs of sealed gzip members inflated and cut into payloads off the
 * replaying thread (cutPayloads, PayloadCutter), and a replay through it, which must answer
 * exactly as a replay on one thread does: same events, same errors.
 */
const workerPath = useBundledWorker('engine/payloadWorker.ts', 'payload-worker.js')
const replayChildPath = useBundledWorker('../../test/support/replayChild.ts', 'replay-child.js')

const cutters: PayloadCutter[] = []
afterEach(async () => {
  await Promise.all(cutters.splice(0).map((cutter) => cutter.stop()))
})

/** cutterAt starts a cutter on a worker file, every run allowed (minBytes 0). */
function cutterAt(path: () => string, workersMax?: number): PayloadCutter {
  const cutter = new PayloadCutter(path, 0, workersMax)
  cutters.push(cutter)
  return cutter
}

/** onlineCutter is a cutter whose first worker is up, so runs go to workers, not this thread. */
async function onlineCutter(
  path: () => string = workerPath,
  workersMax?: number,
): Promise<PayloadCutter> {
  const cutter = cutterAt(path, workersMax)
  await cutter.cut(runRequest(Buffer.alloc(0), [[0, 0]], 0))
  await vi.waitFor(() => expect(cutter.workerThreadIds).toHaveLength(1), { timeout: 10_000 })
  return cutter
}

/** fakeWorker writes a worker file whose code (with `parentPort` in scope) is `body`. */
function fakeWorker(body: string): string {
  const path = join(tempDir(), 'worker.js')
  writeFileSync(path, `const { parentPort } = require('node:worker_threads')\n${body}\n`)
  return path
}

/** countAnswers counts the runs a cutter answers from here on: cut, or refused (null). */
function countAnswers(cutter: PayloadCutter): { byWorker: number; refused: number } {
  const counts = { byWorker: 0, refused: 0 }
  const cut = cutter.cut.bind(cutter)
  vi.spyOn(cutter, 'cut').mockImplementation(async (request) => {
    const run = await cut(request)
    if (run) counts.byWorker++
    else counts.refused++
    return run
  })
  return counts
}

/** oneMemberRun is a request for `raw` (a raw segment) gzipped as one member, walked whole. */
function oneMemberRun(raw: Buffer): CutRequest {
  const gz = gzipSync(raw)
  return runRequest(
    gz,
    [
      [0, 0],
      [raw.length, gz.length],
    ],
    SEGMENT_HEADER_BYTES,
  )
}

function runRequest(gz: Uint8Array, bounds: [number, number][], walkFrom: number): CutRequest {
  return { gz, bounds, firstMember: 0, walkFrom, checkDigest: false, payloadLengthMax: 1 << 20 }
}

/** runsOf cuts a sealed segment into runs of `membersPerRun` members, as requests. */
function runsOf(gzPath: string, manifest: SegmentManifest, membersPerRun: number): CutRequest[] {
  const gz = readFileSync(gzPath)
  const bounds: [number, number][] = [...manifest.members, [manifest.raw_bytes, manifest.gz_bytes]]
  const requests: CutRequest[] = []
  for (let first = 0; first < manifest.members.length; first += membersPerRun) {
    const last = Math.min(first + membersPerRun, manifest.members.length)
    const runBounds = bounds.slice(first, last + 1)
    requests.push({
      gz: gz.subarray(runBounds[0]![1], runBounds.at(-1)![1]),
      bounds: runBounds,
      firstMember: first,
      walkFrom: first === 0 ? SEGMENT_HEADER_BYTES : runBounds[0]![0],
      checkDigest: true,
      payloadLengthMax: EVENT_BYTES_MAX,
    })
  }
  return requests
}

/** recordsOf walks inflated segment bytes with readRecord: what a cut must agree with. */
function recordsOf(raw: Buffer, from: number, to: number) {
  const records: { payload: Buffer; sequence: number; offset: number }[] = []
  const options = { checkDigest: true, payloadLengthMax: EVENT_BYTES_MAX }
  for (let at = from; at < to;) {
    const read = readRecord(raw, at, options)
    if (read.kind !== 'record') throw new Error(`no record at ${at}`)
    records.push({ payload: read.payload, sequence: read.header.sequence, offset: at })
    at = read.end
  }
  return records
}

/** sealed is a store with one sealed segment of ~1.5 MiB, and that segment. */
async function sealed(): Promise<{ store: EventStore } & ReturnType<typeof firstSealed>> {
  const store = await storeWith(7000, { segmentBytesMax: 1536 * 1024 })
  return { store, ...firstSealed(store.files.dir) }
}

describe('cutPayloads', () => {
  it('cuts every record of every run, as readRecord walks the inflated segment', async () => {
    const { store, gzPath, manifest } = await sealed()
    const raw = gunzipSync(readFileSync(gzPath))
    let records = 0
    for (const request of runsOf(gzPath, manifest, 5)) {
      const run = cutPayloads(request)
      const expected = recordsOf(raw, request.walkFrom, request.bounds.at(-1)![0])
      expect(run.problem).toBeNull()
      expect(run.continuesAt).toBeNull()
      // Stored events are rewritten with their maps as records: the same events decoded.
      expect(run.records).toBe(true)
      expect(decodeRecordRun(run.payloads, run.ends, run.ends.length)).toEqual(
        expected.map((r) => decodeEvent(r.payload)),
      )
      expect(Array.from(run.sequences)).toEqual(expected.map((r) => r.sequence))
      expect(Array.from(run.offsets)).toEqual(expected.map((r) => r.offset))
      records += run.sequences.length
    }
    expect(records).toBe(manifest.records)
    await store.close()
  })

  it('a damaged member: the records before it, then the damage named at its raw offset', async () => {
    const { store, gzPath, manifest } = await sealed()
    const raw = gunzipSync(readFileSync(gzPath))
    flipByte(gzPath, manifest.members[2]![1] + 200, 0xff)
    const run = cutPayloads(runsOf(gzPath, manifest, 4)[0]!)
    const rawStart = manifest.members[2]![0]
    expect(run.problem?.offset).toBe(rawStart)
    expect(run.problem?.reason).toMatch(/^gzip member 2 \(at gzip offset \d+\) is unreadable/)
    expect(Array.from(run.sequences)).toEqual(
      recordsOf(raw, SEGMENT_HEADER_BYTES, rawStart).map((r) => r.sequence),
    )
    await store.close()
  })

  it('a record whose header does not check out ends the run there, with the reason', () => {
    const raw = segmentBytes(6)
    const third = recordsOf(raw, SEGMENT_HEADER_BYTES, raw.length)[2]!.offset
    raw[third + 9] = raw[third + 9]! ^ 1 // the payload length, under the header's CRC
    const run = cutPayloads(oneMemberRun(raw))
    expect(run.problem).toEqual({ offset: third, reason: 'record header checksum mismatch' })
    expect(Array.from(run.sequences)).toEqual([1, 2])
  })

  it('checks payload digests only when asked', () => {
    const raw = segmentBytes(3)
    const second = recordsOf(raw, SEGMENT_HEADER_BYTES, raw.length)[1]!.offset
    raw[second + RECORD_HEADER_BYTES + 3] = raw[second + RECORD_HEADER_BYTES + 3]! ^ 1
    const request = oneMemberRun(raw)
    expect(cutPayloads(request).problem).toBeNull()
    expect(cutPayloads({ ...request, checkDigest: true }).problem).toEqual({
      offset: second,
      reason: 'payload SHA-256 mismatch',
    })
  })

  it('a record that goes on past the run: the records before it, and where it starts', () => {
    const raw = segmentBytes(4)
    const fourth = recordsOf(raw, SEGMENT_HEADER_BYTES, raw.length)[3]!.offset
    const gz = gzipSync(raw.subarray(0, fourth + 10))
    const run = cutPayloads(
      runRequest(
        gz,
        [
          [0, 0],
          [fourth + 10, gz.length],
        ],
        SEGMENT_HEADER_BYTES,
      ),
    )
    expect(run.continuesAt).toBe(fourth)
    expect(run.problem).toBeNull()
    expect(Array.from(run.sequences)).toEqual([1, 2, 3])
  })
})

/**
 * segmentBytes is a raw segment of `count` records (sequences 1 to count, each its own batch)
 * after a segment header's worth of zeros, which a cut walks past.
 */
function segmentBytes(count: number): Buffer {
  const records = Array.from({ length: count }, (_, i) =>
    encodeRecord(
      { payloadLength: 0, sequence: i + 1, batchIndex: 0, batchCount: 1 },
      Buffer.from(`payload of event ${i + 1}`),
    ),
  )
  return Buffer.concat([Buffer.alloc(SEGMENT_HEADER_BYTES), ...records])
}

/** Both ways of reading: every batch's events, or the error the replay ends with. */
async function replayed(
  store: EventStore,
  from: number,
  options: Parameters<typeof readEventBatches>[2],
) {
  const sequences: number[] = []
  const events: unknown[] = []
  try {
    for await (const batch of readEventBatches(store, from, options)) {
      for (const event of batch.events) {
        sequences.push(event.sequence)
        events.push(event)
      }
      expect(batch.throughSequence).toBe(sequences.at(-1))
    }
  } catch (error) {
    return { sequences, events, error }
  }
  return { sequences, events, error: null }
}

describe('PayloadCutter', () => {
  it('cuts on the worker thread exactly as on this one', async () => {
    const { store, gzPath, manifest } = await sealed()
    const cutter = await onlineCutter()
    expect(cutter.workerThreadIds).not.toContain(threadId)
    for (const request of runsOf(gzPath, manifest, 3)) {
      const [there, here] = [(await cutter.cut(request))!, cutPayloads(request)]
      expect(Buffer.from(there.payloads).equals(here.payloads)).toBe(true)
      expect({ ...there, payloads: null }).toEqual({ ...here, payloads: null })
    }
    expect(cutter.runsOut).toBe(0)
    await store.close()
  })

  it('cuts on this thread while the worker starts, so nothing waits for it', async () => {
    const raw = segmentBytes(5)
    const cutter = cutterAt(workerPath)
    const request = oneMemberRun(raw)
    const run = cutter.cut(request)
    expect(cutter.workerThreadIds).toEqual([])
    expect(cutter.runsOut).toBe(0)
    expect(Array.from((await run)!.sequences)).toEqual([1, 2, 3, 4, 5])
  })

  it('answers null, for good, when its worker file cannot be found', async () => {
    let tries = 0
    const cutter = cutterAt(() => {
      tries++
      throw new Error('The worker payload-worker.js is missing')
    })
    const request = runRequest(Buffer.alloc(0), [[0, 0]], 0)
    expect(await cutter.cut(request)).toBeNull()
    expect(await cutter.cut(request)).toBeNull()
    expect(tries).toBe(1)
  })

  it(`takes at most PAYLOAD_WORKER_RUNS_MAX (${PAYLOAD_WORKER_RUNS_MAX}) runs at once; the next is null at once`, async () => {
    const silent = fakeWorker("parentPort.on('message', () => {})")
    const cutter = await onlineCutter(() => silent)
    const request = runRequest(Buffer.alloc(0), [[0, 0]], 0)
    const out = Array.from({ length: PAYLOAD_WORKER_RUNS_MAX }, () => cutter.cut(request))
    expect(cutter.runsOut).toBe(PAYLOAD_WORKER_RUNS_MAX)
    expect(await cutter.cut(request)).toBeNull()
    await cutter.stop()
    expect(await Promise.all(out)).toEqual(out.map(() => null))
  })

  it.each([1, 2])(
    'starts another worker only when a run comes while each has one out, up to %i',
    async (workersMax) => {
      const { store, gzPath, manifest } = await sealed()
      let starts = 0
      const cutter = await onlineCutter(() => {
        starts++
        return workerPath()
      }, workersMax)
      const [first, second] = runsOf(gzPath, manifest, 2)
      // The worker up has no run out: it takes this one, and no other starts.
      expect(await cutter.cut(first!)).not.toBeNull()
      expect(starts).toBe(1)
      // The second run comes while the first is out.
      const runs = [cutter.cut(first!), cutter.cut(second!)]
      expect(starts).toBe(workersMax)
      const answers = await Promise.all(runs)
      expect(answers).toEqual([cutPayloads(first!), cutPayloads(second!)])
      await vi.waitFor(() => expect(cutter.workerThreadIds).toHaveLength(workersMax), {
        timeout: 10_000,
      })
      await store.close()
    },
  )

  it('answers null for the runs out when a worker dies, stops every worker, and starts none again', async () => {
    const dying = fakeWorker("parentPort.on('message', () => process.exit(3))")
    let starts = 0
    const cutter = await onlineCutter(() => {
      starts++
      return dying
    })
    const request = runRequest(Buffer.alloc(0), [[0, 0]], 0)
    // Two runs at once: the second starts another worker; the first worker dies.
    const runs = [cutter.cut(request), cutter.cut(request)]
    expect(starts).toBe(2)
    expect(await Promise.all(runs)).toEqual([null, null])
    expect(cutter.workerThreadIds).toEqual([])
    expect(await cutter.cut(request)).toBeNull()
    expect(starts).toBe(2)
  })

  it('keeps the workers it has when another cannot start', async () => {
    let starts = 0
    const cutter = await onlineCutter(() => {
      if (++starts > 1) throw new Error('no more threads')
      return workerPath()
    }, 2)
    const { store, gzPath, manifest } = await sealed()
    const [first, second] = runsOf(gzPath, manifest, 2)
    const answers = await Promise.all([cutter.cut(first!), cutter.cut(second!)])
    expect(starts).toBe(2)
    expect(answers).toEqual([cutPayloads(first!), cutPayloads(second!)])
    expect(await cutter.cut(first!)).not.toBeNull()
    expect(starts).toBe(2)
    expect(cutter.workerThreadIds).toHaveLength(1)
    await store.close()
  })
})

describe('replay through the payload worker', () => {
  it('hands out the same events as a replay on one thread, from anywhere to anywhere', async () => {
    const store = await storeWith(14_000, { segmentBytesMax: 1536 * 1024 })
    const { manifest } = firstSealed(store.files.dir)
    const cutter = await onlineCutter()
    const answered = countAnswers(cutter)
    const middle = Math.floor((manifest.first_sequence + manifest.last_sequence) / 2)
    const cases: [number, number | undefined, boolean][] = [
      [1, undefined, false],
      [middle, undefined, true],
      [middle, manifest.last_sequence + 10, false],
      [manifest.last_sequence, manifest.last_sequence + 1, false],
    ]
    for (const [from, toSequence, checkDigest] of cases) {
      const one = await replayed(store, from, { toSequence, checkDigest, cutter: null })
      const two = await replayed(store, from, { toSequence, checkDigest, cutter })
      expect(one.error).toBeNull()
      expect(two.error).toBeNull()
      expect(two.sequences).toEqual(one.sequences)
      expect(two.events).toEqual(one.events)
    }
    expect(answered.byWorker).toBeGreaterThan(10)
    await store.close()
  })

  it('a damaged member is the same corruption as on one thread; nothing after it is handed out', async () => {
    const { store, gzPath, manifest } = await sealed()
    flipByte(gzPath, manifest.members[5]![1] + 100, 0xff)
    const cutter = await onlineCutter()
    const one = await replayed(store, 1, { cutter: null })
    const two = await replayed(store, 1, { cutter })
    expect(two.error).toBeInstanceOf(CorruptionError)
    const [a, b] = [one.error as CorruptionError, two.error as CorruptionError]
    expect([b.segment, b.offset, b.reason]).toEqual([a.segment, a.offset, a.reason])
    expect(b.offset).toBe(manifest.members[5]![0])
    expect(two.sequences).toEqual(two.sequences.map((_, i) => i + 1))
    expect(two.sequences.length).toBeGreaterThanOrEqual(one.sequences.length)
    await store.close()
  })

  it('a worker that dies mid-replay leaves the rest to this thread: every event still comes', async () => {
    const store = await storeWith(7000, { segmentBytesMax: 1536 * 1024 })
    // The real worker, but the process ends at the fourth run it is handed.
    const dying = fakeWorker(`let runs = 0
      parentPort.on('message', () => { if (++runs === 4) process.exit(3) })
      require(${JSON.stringify(workerPath())})`)
    const cutter = await onlineCutter(() => dying, 1)
    const answered = countAnswers(cutter)
    const { sequences, error } = await replayed(store, 1, { cutter })
    expect(error).toBeNull()
    expect(sequences).toEqual(Array.from({ length: 7000 }, (_, i) => i + 1))
    expect(answered.byWorker).toBe(3)
    expect(answered.refused).toBeGreaterThan(0)
    await store.close()
  })

  it('a worker of another build is not used: its answers are refused, and so are later runs', async () => {
    const store = await storeWith(7000, { segmentBytesMax: 1536 * 1024 })
    const other = fakeWorker(
      "parentPort.on('message', (job) => parentPort.postMessage({ id: job.id, protocol: 0, failed: 'old' }))",
    )
    const cutter = await onlineCutter(() => other)
    const answered = countAnswers(cutter)
    const { sequences, error } = await replayed(store, 1, { cutter })
    expect(error).toBeNull()
    expect(sequences).toHaveLength(7000)
    expect(answered.byWorker).toBe(0)
    expect(await cutter.cut(runRequest(Buffer.alloc(0), [[0, 0]], 0))).toBeNull()
    expect(cutter.runsOut).toBe(0)
    await store.close()
  })

  it('rewritten payloads that do not decode are read again as stored: every event still comes', async () => {
    const store = await storeWith(7000, { segmentBytesMax: 1536 * 1024 })
    let spoiled = 0
    // Cut here, with every rewritten run's first value made the byte MessagePack never uses.
    const spoiling = {
      minBytes: 0,
      cut: (request: CutRequest): Promise<CutRun | null> => {
        const run = cutPayloads(request)
        if (run.records && run.ends.length > 0) {
          run.payloads[0] = 0xc1
          spoiled++
        }
        return Promise.resolve(run)
      },
    } as unknown as PayloadCutter
    // From the first event, and from one inside a run (the run's first records unwanted).
    for (const from of [1, 4321]) {
      const one = await replayed(store, from, { cutter: null })
      const spoilt = await replayed(store, from, { cutter: spoiling })
      expect(spoilt.error).toBeNull()
      expect(spoilt.events).toEqual(one.events)
      expect(spoilt.sequences[0]).toBe(from)
    }
    expect(spoiled).toBeGreaterThan(1)
    await store.close()
  })

  it('members cut inside a record (a manifest not of this writer) still replay in full', async () => {
    const store = await storeWith(7000, { segmentBytesMax: 1536 * 1024 })
    const { gzPath, manifest } = firstSealed(store.files.dir)
    await store.close()
    const raw = gunzipSync(readFileSync(gzPath))
    const starts = recordsOf(raw, SEGMENT_HEADER_BYTES, raw.length).map((r) => r.offset)
    // Members of ~64 KiB, each cut 10 bytes into a record.
    const cuts = [0]
    for (const start of starts) if (start + 10 - cuts.at(-1)! >= 64 * 1024) cuts.push(start + 10)
    const members = cuts.map((start, i) => gzipSync(raw.subarray(start, cuts[i + 1] ?? raw.length)))
    const gz = Buffer.concat(members)
    writeFileSync(gzPath, gz)
    let gzOffset = 0
    const layout = cuts.map((start, i) => {
      const member: [number, number] = [start, gzOffset]
      gzOffset += members[i]!.length
      return member
    })
    const manifestPath = gzPath.replace('.log.gz', '.manifest.json')
    writeFileSync(
      manifestPath,
      encodeManifest({
        ...manifest,
        members: layout,
        gz_bytes: gz.length,
        gz_sha256: createHash('sha256').update(gz).digest('hex'),
      }),
    )
    const reader = await EventStore.open(store.files.dir, { access: 'read' })
    const cutter = await onlineCutter()
    const { sequences, error } = await replayed(reader, 1, { cutter })
    expect(error).toBeNull()
    expect(sequences).toEqual(Array.from({ length: 7000 }, (_, i) => i + 1))
    await reader.close()
  })

  it.each([
    ['had runs out on the worker', 'twice', 14_000],
    ['cut every run itself while the worker started', 'once', 100],
  ])('a process whose replays %s exits on its own once done', async (_, times, count) => {
    const store = await storeWith(7000, { segmentBytesMax: 1536 * 1024 })
    await store.close()
    const child = spawnSync(
      process.execPath,
      [replayChildPath(), store.files.dir, workerPath(), times],
      { encoding: 'utf8', timeout: 20_000 },
    )
    expect(child.stderr).toBe('')
    expect(child.signal).toBeNull()
    const printed = JSON.parse(child.stdout) as { count: number; workerUp: boolean }
    expect(printed.count).toBe(count)
    if (times === 'twice') expect(printed.workerUp).toBe(true)
  })
})
