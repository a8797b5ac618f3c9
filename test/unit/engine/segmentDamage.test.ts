import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest'
import {
  accessSync,
  constants,
  cpSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { FileStatus, RecoveryAction, StoreMode } from '../../../src/shared/report'
import { EventStore } from '../../../src/main/engine/eventStore'
import { EVENT_BYTES_MAX } from '../../../src/main/engine/limits'
import { RECORD_OVERHEAD_BYTES, readRecord } from '../../../src/main/engine/recordCodec'
import { SEGMENT_HEADER_BYTES } from '../../../src/main/engine/segmentHeader'
import type { SegmentManifest } from '../../../src/main/engine/manifest'
import {
  manifestName,
  parseSegmentFileName,
  sealedName,
} from '../../../src/main/engine/segmentNames'
import { CLEAN_FILE, QUARANTINE_DIR } from '../../../src/main/engine/storeDirectory'
import {
  appendGarbage,
  fixRecordChecksum,
  flipByte,
  readSegmentRecordOffsets,
  truncateAt,
  zeroSector,
} from '../../support/corrupt'
import { mulberry32 } from '../../support/random'
import { appendPlan } from '../../support/appendPlan'

/**
 * Damage done to a real store on disk, one failure shape per test, and what verify, a
 * writer's open and recover say about it. The rules under test (DESIGN.md, Recovery):
 * a torn tail of the newest segment is cut by any writer, its bytes saved and reported;
 * any other damage makes the store `needs_recovery` until `recover` keeps the longest
 * intact prefix and quarantines the rest; nothing is ever deleted.
 */

const NODE_ID = 'node-1'
const SECTOR_BYTES = 512
/** Writers opened in parallel by the cut-at-every-offset test. */
const CUT_WORKERS = 4
/** Rounds of the appended-garbage test, each with its own length and bytes. */
const GARBAGE_ROUNDS = 12
const GARBAGE_BYTES_MAX = 700

/** One record of a raw segment, where it sits and which batch it belongs to. */
interface RecordLayout {
  offset: number
  end: number
  sequence: number
  batchIndex: number
  batchCount: number
  /** Offset and first sequence of the record's batch: where a repair cuts. */
  batchStart: number
  batchFirstSequence: number
}

/** A store built once per describe block and copied for each damage. */
interface Fixture {
  dir: string
  /** The newest segment, still a raw log. */
  logName: string
  pristineLog: Buffer
  records: RecordLayout[]
  sealed: SegmentManifest[]
  events: number
}

/** A clock that moves 1 ms per reading, so every built store has the same bytes. */
function steppingClock(): () => number {
  let nowMs = Date.UTC(2025, 0, 1)
  return () => (nowMs += 1)
}

const eventNumber = (n: number) => ({
  event_type: 'agent_heartbeat',
  aggregate_id: `agent-${n % 3}`,
  data: { n },
})

/** buildStore appends `plan` (1 = a single append, k > 1 = appendBatch of k) and closes. */
async function buildStore(dir: string, plan: number[], segmentBytesMax?: number): Promise<Fixture> {
  const store = await EventStore.open(dir, {
    create: true,
    nodeId: NODE_ID,
    nowMs: steppingClock(),
    segmentBytesMax,
  })
  const events = await appendPlan(store, plan, eventNumber)
  await store.idle()
  await store.close()
  const names = readdirSync(dir).sort()
  const logName = names.filter((name) => name.endsWith('.log')).at(-1)!
  const pristineLog = readFileSync(join(dir, logName))
  const sealed = names
    .filter((name) => name.endsWith('.manifest.json'))
    .map((name) => JSON.parse(readFileSync(join(dir, name), 'utf8')) as SegmentManifest)
  return { dir, logName, pristineLog, records: layoutOf(pristineLog), sealed, events }
}

/** layoutOf lists every record of a raw segment with its batch. */
function layoutOf(segment: Buffer): RecordLayout[] {
  const layout: RecordLayout[] = []
  let batchStart = SEGMENT_HEADER_BYTES
  let batchFirstSequence = 0
  for (const offset of readSegmentRecordOffsets(segment)) {
    const read = readRecord(segment, offset, {
      checkDigest: true,
      payloadLengthMax: EVENT_BYTES_MAX,
    })
    if (read.kind !== 'record') throw new Error(`no record at ${offset}`)
    const { sequence, batchIndex, batchCount } = read.header
    if (batchIndex === 0) [batchStart, batchFirstSequence] = [offset, sequence]
    layout.push({
      offset,
      end: read.end,
      sequence,
      batchIndex,
      batchCount,
      batchStart,
      batchFirstSequence,
    })
  }
  return layout
}

/**
 * Stores live on tmpfs where there is one: the cut test opens ~1600 stores, and on a disk
 * file system each mkdir, rmdir and small write costs 10 to 50 times more. It is still the
 * real file system through the engine's own nodeFileSystem.
 */
const SCRATCH_BASE = writableDir('/dev/shm') ?? tmpdir()

function writableDir(path: string): string | null {
  try {
    accessSync(path, constants.W_OK)
    return path
  } catch {
    return null
  }
}

/** scratchDir is a fresh directory removed when the current test finishes. */
function scratchDir(): string {
  const dir = mkdtempSync(join(SCRATCH_BASE, 'lhs-damage-'))
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

/**
 * copyStore copies a cleanly closed store and removes its CLEAN marker. A crash leaves no
 * marker, and a marker whose recorded size still matches the log would let open skip the
 * scan: the damage done here stands for damage found after a crash, not for bit rot that
 * appears behind a clean shutdown's back.
 */
function copyStore(from: string, to: string): string {
  cpSync(from, to, { recursive: true })
  rmSync(join(to, CLEAN_FILE), { force: true })
  return to
}

/** Files in quarantine/, by name, with their bytes. */
function quarantined(dir: string): Map<string, Buffer> {
  const names = existsSync(join(dir, QUARANTINE_DIR)) ? readdirSync(join(dir, QUARANTINE_DIR)) : []
  return new Map(names.map((name) => [name, readFileSync(join(dir, QUARANTINE_DIR, name))]))
}

/**
 * Segment files (logs, sealed files, manifests) in a store directory, with their bytes: the
 * data. Indexes are derived from it and may be dropped and rebuilt.
 */
function segmentFiles(dir: string): Map<string, Buffer> {
  const names = readdirSync(dir).filter((name) => parseSegmentFileName(name) !== null)
  return new Map(names.map((name) => [name, readFileSync(join(dir, name))]))
}

/**
 * expectNothingDeleted checks that every byte of every segment file is still somewhere:
 * in place, or cut off and saved as `<stamp>-<name>.from-<offset>.bin`, or moved whole
 * to `<stamp>-<name>` in quarantine.
 */
function expectNothingDeleted(before: Map<string, Buffer>, dir: string): void {
  const saved = quarantined(dir)
  const savedAs = (suffix: string) =>
    [...saved.entries()].find(([name]) => name.endsWith(suffix))?.[1] ?? null
  for (const [name, bytes] of before) {
    const path = join(dir, name)
    const kept = existsSync(path) ? readFileSync(path) : null
    if (kept?.equals(bytes)) continue
    if (kept) {
      const tail = savedAs(`-${name}.from-${kept.length}.bin`)
      expect(tail, `${name} was cut at ${kept.length}; its tail must be saved`).not.toBeNull()
      expect(Buffer.concat([kept, tail!]).equals(bytes), `${name}: kept + saved = before`).toBe(
        true,
      )
    } else {
      const whole = savedAs(`-${name}`)
      expect(whole, `${name} was removed; it must be in quarantine`).not.toBeNull()
      expect(whole!.equals(bytes), `${name}: quarantined copy is the whole file`).toBe(true)
    }
  }
}

/** storedSequences reads every event of a closed store and returns their sequences. */
async function storedSequences(dir: string): Promise<number[]> {
  const store = await EventStore.open(dir, { access: 'read' })
  try {
    const sequences: number[] = []
    await store.readAll((event) => sequences.push(event.sequence))
    return sequences
  } finally {
    await store.close()
  }
}

const oneTo = (n: number) => Array.from({ length: n }, (_, i) => i + 1)

/** inParallel runs `task` for every item with at most `workers` at a time. */
async function inParallel<T>(items: T[], workers: number, task: (item: T) => Promise<void>) {
  let next = 0
  const worker = async () => {
    while (next < items.length) await task(items[next++]!)
  }
  await Promise.all(Array.from({ length: workers }, worker))
}

const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i)

function seedFromEnv(testName: string): number {
  const seed = process.env.SEED ? Number(process.env.SEED) : Math.floor(Math.random() * 2 ** 31)
  console.log(`${testName}: seed ${seed} (replay with SEED=${seed})`)
  return seed
}

describe('a newest segment with one raw log', () => {
  // A single, a batch of 3 and a single: cuts land inside a single, in each record of a
  // batch and on every boundary. Each event adds ~320 offsets (~1 s) to the cut test.
  const PLAN = [1, 3, 1]
  let root = ''
  let fixture: Fixture

  beforeAll(async () => {
    root = mkdtempSync(join(SCRATCH_BASE, 'lhs-damage-fixture-'))
    fixture = await buildStore(join(root, 'store'), PLAN)
    expect(fixture.sealed).toEqual([])
    expect(fixture.records.map((r) => r.sequence)).toEqual(oneTo(5))
  })
  afterAll(() => rmSync(root, { recursive: true, force: true }))

  /** The end of the last batch wholly before `cut`, and how many events that keeps. */
  function keptBefore(cut: number): { validEnd: number; events: number } {
    const ends = fixture.records.filter((r) => r.batchIndex === r.batchCount - 1 && r.end <= cut)
    const last = ends.at(-1)
    return { validEnd: last?.end ?? SEGMENT_HEADER_BYTES, events: last?.sequence ?? 0 }
  }

  it('cutting the newest segment at every byte offset recovers exactly a prefix of the batches', async () => {
    const work = scratchDir()
    const { pristineLog, logName } = fixture
    const cuts = range(SEGMENT_HEADER_BYTES, pristineLog.length + 1)
    let cutsOnBoundaries = 0
    let cutsChecked = 0
    await inParallel(cuts, CUT_WORKERS, async (cut) => {
      const dir = copyStore(fixture.dir, join(work, `cut-${cut}`))
      truncateAt(join(dir, logName), cut)
      const { validEnd, events } = keptBefore(cut)
      const at = `cut at ${cut}`

      const store = await EventStore.open(dir, { nodeId: NODE_ID })
      try {
        expect(store.mode, at).toBe('writable')
        expect(store.inspect().event_count, at).toBe(events)
        expect(store.lastSequence, at).toBe(events)
        expect(statSync(join(dir, logName)).size, at).toBe(validEnd)
        if (cut === validEnd) {
          expect(store.openReport, at).toBeNull()
          cutsOnBoundaries++
        } else {
          const actions = store.openReport?.actions ?? []
          expect(actions, at).toEqual([
            expect.objectContaining({
              kind: 'truncated',
              file: logName,
              offset: validEnd,
              bytes: cut - validEnd,
            }),
          ])
          const savedAs = join(dir, actions[0]!.saved_as!)
          expect(readFileSync(savedAs).equals(pristineLog.subarray(validEnd, cut)), at).toBe(true)
        }
        expect((await store.append(eventNumber(0))).sequence, at).toBe(events + 1)
        cutsChecked++
      } finally {
        await store.close()
      }
      rmSync(dir, { recursive: true, force: true })
    })
    expect(cutsChecked).toBe(cuts.length)
    // The only clean cuts: before the first record and after each of the batches.
    expect(cutsOnBoundaries).toBe(PLAN.length + 1)
  }, 120_000)

  it('a segment cut inside its own 64-byte header is set aside whole', async () => {
    const work = scratchDir()
    await inParallel(range(0, SEGMENT_HEADER_BYTES), CUT_WORKERS, async (cut) => {
      const dir = copyStore(fixture.dir, join(work, `cut-${cut}`))
      truncateAt(join(dir, fixture.logName), cut)
      const at = `cut at ${cut}`
      const store = await EventStore.open(dir, { nodeId: NODE_ID })
      try {
        expect(store.mode, at).toBe('writable')
        const actions = store.openReport?.actions ?? []
        expect(actions, at).toEqual([
          expect.objectContaining({ kind: 'quarantined', file: fixture.logName, bytes: cut }),
        ])
        const saved = readFileSync(join(dir, actions[0]!.saved_as!))
        expect(saved.equals(fixture.pristineLog.subarray(0, cut)), at).toBe(true)
        expect((await store.append(eventNumber(0))).sequence, at).toBe(1)
      } finally {
        await store.close()
      }
      rmSync(dir, { recursive: true, force: true })
    })
  })

  /**
   * What verify must say about damage to the bytes from `from` up to `to`: in the segment
   * header, the segment is corrupt at 0; in a record with an intact record after the damage,
   * corrupt at that record; otherwise a torn tail that starts at the damaged record's batch.
   */
  function expectedFinding(
    from: number,
    to = from + 1,
  ): { status: FileStatus; offset: number; events: number } {
    if (from < SEGMENT_HEADER_BYTES) return { status: 'corrupt', offset: 0, events: 0 }
    const damaged = fixture.records.find((r) => from < r.end)!
    const followed = fixture.records.some((r) => r.offset >= to)
    const events = damaged.batchFirstSequence - 1
    return followed
      ? { status: 'corrupt', offset: damaged.offset, events }
      : { status: 'torn', offset: damaged.batchStart, events }
  }

  async function expectVerifyFinds(
    dir: string,
    expected: ReturnType<typeof expectedFinding>,
    at: string,
  ) {
    const report = await EventStore.verify(dir)
    expect(report.ok, at).toBe(false)
    expect(report.files, at).toHaveLength(1)
    const file = report.files[0]!
    expect(file.status, at).toBe(expected.status)
    expect(file.records, at).toBe(expected.events)
    expect(
      file.problems.map((p) => p.offset),
      at,
    ).toEqual([expected.offset])
  }

  it('flipping any single bit of the newest segment is detected', async () => {
    // Every byte gets one flip, cycling through the 8 bit positions; the segment header and
    // the first record header get all 8. Each worker flips, verifies and restores its copy.
    const work = scratchDir()
    const { pristineLog, logName } = fixture
    const flips = range(0, pristineLog.length).map((offset) => ({
      offset,
      mask: 1 << (offset % 8),
    }))
    for (const offset of range(0, SEGMENT_HEADER_BYTES + 32)) {
      for (let bit = 0; bit < 8; bit++) flips.push({ offset, mask: 1 << bit })
    }
    const copies = range(0, CUT_WORKERS).map((i) => copyStore(fixture.dir, join(work, `copy-${i}`)))
    let next = 0
    await Promise.all(
      copies.map(async (dir) => {
        const path = join(dir, logName)
        while (next < flips.length) {
          const { offset, mask } = flips[next++]!
          flipByte(path, offset, mask)
          await expectVerifyFinds(dir, expectedFinding(offset), `flip ${mask} at ${offset}`)
          flipByte(path, offset, mask)
        }
      }),
    )
    expect(next).toBe(flips.length)
  })

  it('zeroing any 512-byte sector of the newest segment is detected', async () => {
    const dir = copyStore(fixture.dir, join(scratchDir(), 'store'))
    const path = join(dir, fixture.logName)
    const sectors = Math.ceil(fixture.pristineLog.length / SECTOR_BYTES)
    expect(sectors).toBeGreaterThanOrEqual(3)
    const statuses: FileStatus[] = []
    for (let sector = 0; sector < sectors; sector++) {
      writeFileSync(path, fixture.pristineLog)
      zeroSector(path, sector, SECTOR_BYTES)
      // The first byte the zeros changed is where the damage starts.
      const damaged = readFileSync(path)
      const first = range(sector * SECTOR_BYTES, damaged.length).find(
        (i) => damaged[i] !== fixture.pristineLog[i],
      )!
      const expected = expectedFinding(first, (sector + 1) * SECTOR_BYTES)
      await expectVerifyFinds(dir, expected, `sector ${sector}`)
      statuses.push(expected.status)
    }
    // Sector 0 holds the segment header; the last (partial) sector holds the end of the
    // newest segment, so zeroing it looks exactly like a torn tail.
    expect(statuses[0]).toBe('corrupt')
    expect(statuses.at(-1)).toBe('torn')
  })

  it('random garbage appended to the newest segment is a torn tail, cut back to the old size', async () => {
    const seed = seedFromEnv('appended garbage')
    const random = mulberry32(seed)
    const work = scratchDir()
    const { logName, pristineLog } = fixture
    for (let round = 0; round < GARBAGE_ROUNDS; round++) {
      const length = 1 + Math.floor(random() * GARBAGE_BYTES_MAX)
      const garbage = Buffer.from(Array.from({ length }, () => Math.floor(random() * 256)))
      const at = `seed ${seed} round ${round}: ${length} bytes`
      const dir = copyStore(fixture.dir, join(work, `round-${round}`))
      appendGarbage(join(dir, logName), garbage)

      const report = await EventStore.verify(dir)
      expect(report.ok, at).toBe(false)
      expect(report.files[0], at).toMatchObject({
        status: 'torn',
        records: fixture.events,
        problems: [{ offset: pristineLog.length }],
      })

      const store = await EventStore.open(dir, { nodeId: NODE_ID })
      try {
        const action = store.openReport?.actions[0]
        expect(store.openReport?.actions, at).toHaveLength(1)
        expect(action, at).toMatchObject({
          kind: 'truncated',
          offset: pristineLog.length,
          bytes: length,
        })
        expect(readFileSync(join(dir, action!.saved_as!)).equals(garbage), at).toBe(true)
        expect(readFileSync(join(dir, logName)).equals(pristineLog), at).toBe(true)
        expect((await store.append(eventNumber(0))).sequence, at).toBe(fixture.events + 1)
      } finally {
        await store.close()
      }
      expect((await EventStore.verify(dir)).ok, at).toBe(true)
    }
  })
})

/** The files of a store with sealed segments, for the table below. */
interface DamageSite {
  dir: string
  fixture: Fixture
  /** A record in the middle of a batch of 3 in the newest log, with batches after it. */
  target: RecordLayout
  /** The last record of the newest log. */
  last: RecordLayout
}

interface DamageCase {
  /** The test name: the damage, and what must happen. */
  name: string
  damage: (site: DamageSite) => void
  /** verify's status for each file, in order (a missing range is a file entry too). */
  statuses: FileStatus[]
  /** The problem verify reports: in which file, at which offset, and why. */
  problem: (site: DamageSite) => { file: string; offset: number; reason: RegExp }
  /** Mode of a writer's open before any `recover`. */
  openMode: StoreMode
  /** Events still in the store after `recover`. */
  survivors: (site: DamageSite) => number
  /** Actions `recover` (or the writer's open, for a torn tail) takes, in order. */
  actions: (site: DamageSite) => Partial<RecoveryAction>[]
}

/** rewriteRecord edits a header field of the record at `offset` and fixes the header CRC. */
function rewriteRecord(site: DamageSite, offset: number, edit: (log: Buffer) => void): void {
  const path = join(site.dir, site.fixture.logName)
  const log = readFileSync(path)
  edit(log)
  fixRecordChecksum(log, offset)
  writeFileSync(path, log)
}

const LENGTH_AT = 8
const VERSION_AT = 4
const SEQUENCE_LOW_AT = 20
const CRC_AT = 28

const payloadLength = (r: RecordLayout) => r.end - r.offset - RECORD_OVERHEAD_BYTES

/** Damage in the newest raw log, followed by intact records: recover cuts at its batch. */
function midLogCase(name: string, damage: (site: DamageSite) => void, reason: RegExp): DamageCase {
  return {
    name,
    damage,
    statuses: ['ok', 'ok', 'corrupt'],
    problem: ({ fixture, target }) => ({ file: fixture.logName, offset: target.offset, reason }),
    openMode: 'needs_recovery',
    survivors: ({ target }) => target.batchFirstSequence - 1,
    actions: ({ fixture, target }) => [
      {
        kind: 'truncated',
        file: fixture.logName,
        offset: target.batchStart,
        bytes: fixture.pristineLog.length - target.batchStart,
      },
    ],
  }
}

const DAMAGE_CASES: DamageCase[] = [
  midLogCase(
    'a length rewritten shorter with its header checksum fixed fails the SHA-256 check; recover keeps the batches before it',
    (site) =>
      rewriteRecord(site, site.target.offset, (log) =>
        log.writeUInt32BE(payloadLength(site.target) - 1, site.target.offset + LENGTH_AT),
      ),
    /^payload SHA-256 mismatch \(intact records follow\)$/,
  ),
  midLogCase(
    'a length rewritten longer (still inside the file) with its header checksum fixed fails the SHA-256 check',
    (site) =>
      rewriteRecord(site, site.target.offset, (log) =>
        log.writeUInt32BE(payloadLength(site.target) + 100, site.target.offset + LENGTH_AT),
      ),
    /^payload SHA-256 mismatch \(intact records follow\)$/,
  ),
  midLogCase(
    'a bad header checksum mid-log is corruption; recover keeps the batches before it',
    (site) => flipByte(join(site.dir, site.fixture.logName), site.target.offset + CRC_AT, 0x80),
    /^record header checksum mismatch \(intact records follow\)$/,
  ),
  midLogCase(
    'a bad SHA-256 mid-log is corruption; recover keeps the batches before it',
    (site) => flipByte(join(site.dir, site.fixture.logName), site.target.end - 1, 0x01),
    /^payload SHA-256 mismatch \(intact records follow\)$/,
  ),
  midLogCase(
    'a flipped payload bit mid-log is corruption; recover keeps the batches before it',
    (site) => flipByte(join(site.dir, site.fixture.logName), site.target.offset + 40, 0x04),
    /^payload SHA-256 mismatch \(intact records follow\)$/,
  ),
  midLogCase(
    'a sequence gap (sequence rewritten, header checksum fixed) is corruption; recover keeps the batches before it',
    (site) =>
      rewriteRecord(site, site.target.offset, (log) =>
        log.writeUInt32BE(site.target.sequence + 1, site.target.offset + SEQUENCE_LOW_AT),
      ),
    /^sequence gap: expected \d+, found \d+$/,
  ),
  midLogCase(
    'an unknown record version (header checksum fixed) is corruption, not a torn tail',
    (site) =>
      rewriteRecord(site, site.target.offset, (log) =>
        log.writeUInt8(2, site.target.offset + VERSION_AT),
      ),
    /^unknown record version 2 \(intact records follow\)$/,
  ),
  {
    name: 'a bad SHA-256 in the last record is a torn tail: the writer cuts its batch on open',
    damage: (site) => flipByte(join(site.dir, site.fixture.logName), site.last.end - 1, 0x01),
    statuses: ['ok', 'ok', 'torn'],
    problem: ({ fixture, last }) => ({
      file: fixture.logName,
      offset: last.batchStart,
      reason: /^payload SHA-256 mismatch$/,
    }),
    openMode: 'writable',
    survivors: ({ last }) => last.batchFirstSequence - 1,
    actions: ({ fixture, last }) => [
      {
        kind: 'truncated',
        file: fixture.logName,
        offset: last.batchStart,
        bytes: fixture.pristineLog.length - last.batchStart,
      },
    ],
  },
  {
    // Open trusts manifests (it compares only the file size), so a same-size flip inside a
    // sealed file is found by verify, recover and any read of that segment, not by open.
    name: 'a flipped byte in a sealed segment is corruption; recover keeps the segments before it',
    damage: ({ dir }) => {
      const path = join(dir, sealedName(2))
      flipByte(path, Math.floor(statSync(path).size / 2), 0x10)
    },
    statuses: ['ok', 'corrupt', 'ok'],
    problem: () => ({
      file: sealedName(2),
      offset: 0,
      reason: /^gzip data is unreadable: /,
    }),
    openMode: 'writable',
    survivors: ({ fixture }) => fixture.sealed[0]!.last_sequence,
    actions: ({ fixture }) => [
      { kind: 'quarantined', file: fixture.logName },
      { kind: 'quarantined', file: sealedName(2) },
      { kind: 'quarantined', file: manifestName(2) },
    ],
  },
  {
    name: 'a sealed segment cut short is corruption found by open; recover keeps the segments before it',
    damage: ({ dir }) => {
      const path = join(dir, sealedName(2))
      truncateAt(path, statSync(path).size - 10)
    },
    statuses: ['ok', 'corrupt', 'ok'],
    problem: () => ({
      file: sealedName(2),
      offset: 0,
      reason: /^gzip data is unreadable: unexpected end of file$/,
    }),
    openMode: 'needs_recovery',
    survivors: ({ fixture }) => fixture.sealed[0]!.last_sequence,
    actions: ({ fixture }) => [
      { kind: 'quarantined', file: fixture.logName },
      { kind: 'quarantined', file: sealedName(2) },
      { kind: 'quarantined', file: manifestName(2) },
    ],
  },
  {
    name: 'a missing middle segment is reported as a missing range; recover quarantines everything after the gap',
    damage: ({ dir }) => {
      unlinkSync(join(dir, sealedName(2)))
      unlinkSync(join(dir, manifestName(2)))
    },
    statuses: ['ok', 'missing', 'ok'],
    problem: ({ fixture }) => {
      const { first_sequence: first, last_sequence: last } = fixture.sealed[1]!
      return {
        file: `(missing) sequences ${first}-${last}`,
        offset: 0,
        reason: new RegExp(`^events ${first} to ${last} are missing: no segment holds them$`),
      }
    },
    openMode: 'needs_recovery',
    survivors: ({ fixture }) => fixture.sealed[0]!.last_sequence,
    actions: ({ fixture }) => [{ kind: 'quarantined', file: fixture.logName }],
  },
]

describe('damage to a store with sealed segments', () => {
  // About 11 events fit in a 4 KiB segment: two sealed segments and a raw log of 4 batches.
  const PLAN = [1, 3, 1, 1, 3, 1, 3, 1, 1, 3, 1, 3, 1, 1, 3, 1, 3, 1]
  let root = ''
  let fixture: Fixture

  beforeAll(async () => {
    root = mkdtempSync(join(SCRATCH_BASE, 'lhs-damage-fixture-'))
    fixture = await buildStore(join(root, 'store'), PLAN, 4096)
    expect(fixture.sealed.map((m) => m.segment_number)).toEqual([1, 2])
    expect(fixture.logName).toBe('segment-0000000003.log')
  })
  afterAll(() => rmSync(root, { recursive: true, force: true }))

  function siteIn(dir: string): DamageSite {
    const { records } = fixture
    const last = records.at(-1)!
    const target = records.find(
      (r) =>
        r.batchCount === 3 &&
        r.batchIndex === 1 &&
        r.batchStart > records[0]!.offset &&
        r.end < last.batchStart,
    )
    if (!target)
      throw new Error('the plan must put a batch of 3 between other batches in the newest log')
    return { dir, fixture, target, last }
  }

  it.each(DAMAGE_CASES)('$name', async (row) => {
    const site = siteIn(copyStore(fixture.dir, join(scratchDir(), 'store')))
    row.damage(site)
    const before = segmentFiles(site.dir)

    const verified = await EventStore.verify(site.dir)
    expect(verified.ok).toBe(false)
    expect(verified.files.map((f) => f.status)).toEqual(row.statuses)
    const problem = row.problem(site)
    const damaged = verified.files.find((f) => f.status !== 'ok')!
    expect(damaged.name).toBe(problem.file)
    expect(damaged.problems).toHaveLength(1)
    expect(damaged.problems[0]?.offset).toBe(problem.offset)
    expect(damaged.problems[0]?.reason).toMatch(problem.reason)

    const opened = await EventStore.open(site.dir, { nodeId: NODE_ID })
    const openActions = opened.openReport?.actions ?? []
    try {
      expect(opened.mode).toBe(row.openMode)
      if (row.openMode === 'needs_recovery') {
        expect(openActions).toEqual([])
        await expect(opened.append(eventNumber(0))).rejects.toMatchObject({
          code: 'needs_recovery',
        })
      }
    } finally {
      await opened.close()
    }

    const recovered = await EventStore.recover(site.dir, { nodeId: NODE_ID })
    expect(recovered.ok).toBe(true)
    expect(recovered.problems).toEqual([])
    const actions = [...openActions, ...recovered.actions]
    // toMatchObject on an array: the same number of actions, each with at least these fields.
    expect(actions).toMatchObject(row.actions(site))
    expectNothingDeleted(before, site.dir)

    const survivors = row.survivors(site)
    expect(await storedSequences(site.dir)).toEqual(oneTo(survivors))
    const store = await EventStore.open(site.dir, { nodeId: NODE_ID })
    try {
      expect(store.mode).toBe('writable')
      expect((await store.append(eventNumber(0))).sequence).toBe(survivors + 1)
    } finally {
      await store.close()
    }
    expect((await EventStore.verify(site.dir)).ok).toBe(true)
  })

  // Regression (found by this suite, fixed): scanSegment's classifyDamage looks for intact records after the damage
  // only when the walk ends `bad`, not `incomplete`. A header whose CRC matches a wrong
  // length that points past the end of the file makes the walk end `incomplete`, so the
  // intact records inside the claimed extent are called a torn tail and a writer's open
  // cuts them: acknowledged events leave the store and their sequences are handed out again.
  it('a length rewritten past the end of the file (header checksum fixed) is corruption, not a torn tail', async () => {
    const site = siteIn(copyStore(fixture.dir, join(scratchDir(), 'store')))
    const { target, fixture: built } = site
    rewriteRecord(site, target.offset, (log) =>
      log.writeUInt32BE(built.pristineLog.length, target.offset + LENGTH_AT),
    )
    const verified = await EventStore.verify(site.dir)
    expect(verified.files.at(-1)).toMatchObject({
      status: 'corrupt',
      problems: [{ offset: target.offset }],
    })
    const store = await EventStore.open(site.dir, { nodeId: NODE_ID })
    try {
      expect(store.mode).toBe('needs_recovery')
      expect(statSync(join(site.dir, built.logName)).size).toBe(built.pristineLog.length)
    } finally {
      await store.close()
    }
  })

  // Regression (found by this suite, fixed): recovery.ts repairFrom quarantines every segment after a damaged one,
  // even when the damage is only in the manifest (derived data, see manifest.ts) and
  // salvageSealed has just copied every event of the intact .log.gz back: the newest log's
  // intact, acknowledged events are moved out of the store.
  it('a damaged manifest of an intact sealed segment is rebuilt, and no event leaves the store', async () => {
    const dir = copyStore(fixture.dir, join(scratchDir(), 'store'))
    const path = join(dir, manifestName(2))
    const manifest = readFileSync(path, 'utf8')
    writeFileSync(
      path,
      manifest.replace(/"records":(\d+)/, (_, n: string) => `"records":${Number(n) + 1}`),
    )
    expect((await EventStore.verify(dir)).files.map((f) => f.status)).toEqual([
      'ok',
      'corrupt',
      'ok',
    ])

    const report = await EventStore.recover(dir, { nodeId: NODE_ID })
    expect(report.ok).toBe(true)
    expect(await storedSequences(dir)).toEqual(oneTo(fixture.events))
  })

  // Regression (found by this suite, fixed): segmentReader.ts openSource calls gunzip without catching its error, so
  // a read that reaches a damaged sealed segment (which open does not inflate) fails with
  // zlib's bare `Error: incorrect data check` (code Z_DATA_ERROR) instead of a
  // CorruptionError naming the segment and carrying the code `corruption`.
  it('a read that reaches a damaged sealed segment fails with a corruption error', async () => {
    const dir = copyStore(fixture.dir, join(scratchDir(), 'store'))
    const path = join(dir, sealedName(2))
    flipByte(path, Math.floor(statSync(path).size / 2), 0x10)
    const store = await EventStore.open(dir, { access: 'read' })
    try {
      await expect(store.readAll(() => undefined)).rejects.toMatchObject({
        code: 'corruption',
        segment: sealedName(2),
      })
    } finally {
      await store.close()
    }
  })
})
