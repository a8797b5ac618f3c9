import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest'
import {
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
import { hostname, tmpdir } from 'node:os'
import { join } from 'node:path'
import type { VerificationProgress } from '../../../src/shared/verification'
import type { FileStatus } from '../../../src/shared/report'
import { EventStore } from '../../../src/main/engine/eventStore'
import type { VerificationOptions } from '../../../src/main/engine/verifyJob'
import { startVerification, verifyReportOf } from '../../../src/main/engine/verifyJob'
import { VERIFICATION_FILE } from '../../../src/main/engine/verificationRecord'
import { CLEAN_FILE } from '../../../src/main/engine/storeDirectory'
import { LOCK_NAME } from '../../../src/main/engine/storeLock'
import { MIB } from '../../../src/main/engine/limits'
import { appendGarbage, flipByte, truncateAt } from '../../support/corrupt'
import { builtVerifyWorker } from '../../support/builtWorker'
import { runCli } from '../../support/runCli'
import { tempDir } from '../../support/tempDir'
import { appendPlan } from '../../support/appendPlan'

/**
 * The verification job checks a store on worker threads. Its report must be the one
 * EventStore.verify gives (same files, statuses, offsets and reasons), its progress must
 * only move forward and end at 100%, it must stop at once when cancelled, use two workers
 * when there are two files or more, and leave the thread that started it free.
 */

const WORKER = builtVerifyWorker()
/** A generous bound for "responsive": far above what a healthy run needs. */
const PROMPT_MS_MAX = 500

/** A clock that moves 1 ms per reading, so every built store has the same bytes. */
function steppingClock(): () => number {
  let nowMs = Date.UTC(2025, 0, 1)
  return () => (nowMs += 1)
}

const smallEvent = (n: number) => ({
  event_type: 'agent_heartbeat',
  aggregate_id: `agent-${n % 3}`,
  data: { n },
})

/** A realistic event of about 500 encoded bytes, for the stores that take time to verify. */
const largeEvent = (n: number) => ({
  event_type: 'command_executed',
  aggregate_id: `shadow-${n % 101}`,
  correlation_id: `corr-${n}`,
  data: { path: `/workspace/src/module_${n % 23}/file_${n}.py`, note: 'x'.repeat(300), n },
})

/** buildStore appends `plan` (1 = a single append, k > 1 = a batch of k) and closes cleanly. */
async function buildStore(
  dir: string,
  plan: number[],
  segmentBytesMax: number,
  event = smallEvent,
): Promise<void> {
  const store = await EventStore.open(dir, {
    create: true,
    nodeId: 'node-1',
    nowMs: steppingClock(),
    segmentBytesMax,
    // The clock steps 1 ms per reading, so minutes of store time pass while the fixture is
    // built: a slow batch on a busy machine would make the SLA monitor add its own event.
    monitor: { evaluateIntervalMs: null },
  })
  await appendPlan(store, plan, event)
  await store.idle()
  await store.close()
}

function copyStore(from: string): string {
  const to = join(tempDir(), 'store')
  cpSync(from, to, { recursive: true })
  rmSync(join(to, CLEAN_FILE), { force: true })
  return to
}

function namesIn(dir: string, suffix: string): string[] {
  return readdirSync(dir)
    .filter((name) => name.endsWith(suffix))
    .sort()
}

/** osThreadCount is how many threads this process has (Linux), or 0 where it cannot tell. */
function osThreadCount(): number {
  return existsSync('/proc/self/task') ? readdirSync('/proc/self/task').length : 0
}

function verify(dir: string, options: VerificationOptions = {}) {
  return startVerification(dir, { workerPath: WORKER, ...options })
}

let fixtures: string
/** Another store, whose segments do not belong in `small`. */
let other: string
/** Many small segments (4 KiB): sealed ones and the active raw log. */
let small: string
/** About 24 MB in 8 segments: long enough to watch, cancel and time. */
let large: string

beforeAll(async () => {
  fixtures = mkdtempSync(join(tmpdir(), 'lhs-verify-job-'))
  small = join(fixtures, 'small')
  large = join(fixtures, 'large')
  other = join(fixtures, 'other')
  await buildStore(other, [30, 30, 30, 1], 4096)
  const plan = [1, 1, 5, 1, 10, 1, 1, 20, 3, 1, 1, 40, 1, 7, 1, 1, 30, 1, 2, 1, 1, 1, 12, 1]
  // The trailing singles leave several records in the active log, after the last rotation.
  await buildStore(small, [...plan, ...plan, ...plan, 1, 1, 1, 1, 1], 4096)
  await buildStore(large, Array<number>(48).fill(1000), 3 * MIB, largeEvent)
}, 120_000)

afterAll(() => rmSync(fixtures, { recursive: true, force: true }))

interface DamageCase {
  name: string
  damage: (dir: string) => void
  /** The statuses verify must report, in file order, to show the damage was seen at all. */
  expected: (statuses: FileStatus[]) => void
}

const activeLog = (dir: string) => join(dir, namesIn(dir, '.log').at(-1)!)
const sealedFile = (dir: string, index: number) => join(dir, namesIn(dir, '.log.gz')[index]!)
const lastStatus = (status: FileStatus) => (statuses: FileStatus[]) =>
  expect(statuses.at(-1)).toBe(status)
const someStatus = (status: FileStatus) => (statuses: FileStatus[]) =>
  expect(statuses).toContain(status)

const DAMAGE: DamageCase[] = [
  {
    name: 'an intact store',
    damage: () => undefined,
    expected: (statuses) => expect(new Set(statuses)).toEqual(new Set(['ok'])),
  },
  {
    name: 'a flipped payload byte in the active log, intact records after it',
    damage: (dir) => flipByte(activeLog(dir), 64 + 40),
    expected: lastStatus('corrupt'),
  },
  {
    name: 'the active log cut inside its last record',
    damage: (dir) => truncateAt(activeLog(dir), statSync(activeLog(dir)).size - 5),
    expected: lastStatus('torn'),
  },
  {
    name: 'garbage after the last record of the active log',
    damage: (dir) => appendGarbage(activeLog(dir), Buffer.from('LHEV\x01\x00garbage')),
    expected: lastStatus('torn'),
  },
  {
    name: 'the active log cut inside its segment header',
    damage: (dir) => truncateAt(activeLog(dir), 30),
    expected: lastStatus('torn'),
  },
  {
    name: 'a flipped byte inside a sealed file',
    damage: (dir) => flipByte(sealedFile(dir, 2), 200),
    expected: someStatus('corrupt'),
  },
  {
    name: 'a sealed segment removed with its manifest',
    damage: (dir) => {
      const gz = sealedFile(dir, 3)
      unlinkSync(gz)
      unlinkSync(gz.replace('.log.gz', '.manifest.json'))
    },
    expected: someStatus('missing'),
  },
  {
    name: 'a damaged manifest over intact sealed data',
    damage: (dir) => {
      const manifest = join(dir, namesIn(dir, '.manifest.json')[1]!)
      writeFileSync(manifest, readFileSync(manifest, 'utf8').replace('"records":', '"records":1'))
    },
    expected: someStatus('corrupt'),
  },
  {
    name: 'a sealed segment of another store in place of one of ours',
    damage: (dir) => {
      for (const suffix of ['.log.gz', '.manifest.json']) {
        const name = `segment-0000000001${suffix}`
        cpSync(join(other, name), join(dir, name))
      }
    },
    expected: someStatus('corrupt'),
  },
  {
    name: 'a torn tail while a live writer holds the lock (ignored)',
    damage: (dir) => {
      truncateAt(activeLog(dir), statSync(activeLog(dir)).size - 5)
      const holder = { pid: process.pid, host: hostname(), since: new Date().toISOString() }
      writeFileSync(join(dir, LOCK_NAME), JSON.stringify(holder))
    },
    expected: (statuses) => expect(new Set(statuses)).toEqual(new Set(['ok'])),
  },
]

describe('a verification job', () => {
  it.each(DAMAGE)('reports what EventStore.verify reports: $name', async ({ damage, expected }) => {
    const dir = copyStore(small)
    damage(dir)
    const reference = await EventStore.verify(dir)
    expected(reference.files.map((file) => file.status))
    const result = await verify(dir).done
    expect(result.cancelled).toBe(false)
    expect(result.ok).toBe(reference.ok)
    expect(verifyReportOf(result)).toEqual(reference)
  })

  it('reports a sealed file that disappeared as EventStore.verify does', async () => {
    const dir = copyStore(small)
    // A manifest whose sealed file is gone: damage to report, not an I/O error to throw.
    unlinkSync(sealedFile(dir, 1))
    const reference = await EventStore.verify(dir)
    expect(reference.ok).toBe(false)
    const result = await verify(dir).done
    expect(verifyReportOf(result)).toEqual(reference)
  })

  it('refuses a directory that is not a store, as EventStore.verify does', async () => {
    const dir = tempDir()
    await expect(verify(dir).done).rejects.toMatchObject({ code: 'not_a_store' })
  })

  it('reports progress that only moves forward and ends at 100%', async () => {
    const updates: VerificationProgress[] = []
    const result = await verify(large, {
      progressIntervalMs: 20,
      onProgress: (p) => updates.push(p),
    }).done
    expect(result.ok).toBe(true)
    expect(updates.length).toBeGreaterThan(2)
    for (const [previous, next] of updates.slice(1).map((u, i) => [updates[i]!, u] as const)) {
      expect(next.files_done).toBeGreaterThanOrEqual(previous.files_done)
      expect(next.bytes_done).toBeGreaterThanOrEqual(previous.bytes_done)
      expect(next.raw_bytes_done).toBeGreaterThanOrEqual(previous.raw_bytes_done)
      expect(next.records).toBeGreaterThanOrEqual(previous.records)
      expect(next.elapsed_ms).toBeGreaterThanOrEqual(previous.elapsed_ms)
    }
    const first = updates[0]!
    expect(first).toMatchObject({ files_done: 0, bytes_done: 0, records: 0, finished: false })
    expect(first.files.every((file) => file.status === 'unverified')).toBe(true)
    const last = updates.at(-1)!
    expect(last.finished).toBe(true)
    expect(last.files_done).toBe(last.files_total)
    expect(last.bytes_done).toBe(last.bytes_total)
    expect(last.records).toBe(48_000)
    expect(updates.filter((u) => u.finished)).toHaveLength(1)
    expect(updates.some((u) => u.files.some((file) => file.status === 'verifying'))).toBe(true)
    console.log(
      `progress: ${updates.length} updates, ${(last.bytes_per_second / 1e6).toFixed(0)} MB/s on disk, ` +
        `${((last.raw_bytes_done / last.elapsed_ms) * 1e-3).toFixed(0)} MB/s uncompressed`,
    )
  })

  it('stops its workers promptly when cancelled, and says so', async () => {
    const threadsBefore = osThreadCount()
    const state = { cancelling: null as Promise<void> | null, threadsDuring: 0 }
    let cancelledAtMs = 0
    let cancelResolvedMs = Number.NaN
    let updatesAfterCancel = 0
    const job = verify(large, {
      progressIntervalMs: 10,
      onProgress: (progress) => {
        if (state.cancelling) updatesAfterCancel++
        else if (progress.files.some((file) => file.status === 'verifying')) {
          state.threadsDuring = osThreadCount()
          cancelledAtMs = performance.now()
          state.cancelling = job.cancel().then(() => {
            cancelResolvedMs = performance.now() - cancelledAtMs
          })
        }
      },
    })
    const result = await job.done
    const stoppedMs = performance.now() - cancelledAtMs
    await state.cancelling
    console.log(
      `cancel: job ended ${stoppedMs.toFixed(1)} ms and cancel() resolved ${cancelResolvedMs.toFixed(1)} ms after cancel(); ` +
        `threads ${threadsBefore} before, ${state.threadsDuring} while running, ${osThreadCount()} after`,
    )
    expect(result.cancelled).toBe(true)
    expect(result.ok).toBe(false)
    // Stopped early, not timed (a loaded machine stretches any bound): files were left.
    expect(Number.isNaN(cancelResolvedMs)).toBe(false)
    expect(result.files_done).toBeLessThan(result.files_total)
    expect(result.files.some((file) => file.status === 'unverified')).toBe(true)
    expect(result.files.some((file) => file.status === 'verifying')).toBe(false)
    // Only the final report follows the cancel: no worker is left to send anything.
    expect(updatesAfterCancel).toBe(1)
    expect(() => verifyReportOf(result)).toThrow(/cancelled/)
    if (threadsBefore > 0) {
      // Each worker is an OS thread: they were there while running and are gone now.
      expect(state.threadsDuring).toBeGreaterThanOrEqual(threadsBefore + 2)
      expect(osThreadCount()).toBeLessThanOrEqual(threadsBefore)
    }
  })

  it('verifies a single file on its own when asked for one', async () => {
    const dir = copyStore(small)
    flipByte(sealedFile(dir, 2), 200)
    const all = await EventStore.verify(dir)
    for (const name of [namesIn(dir, '.log.gz')[0]!, namesIn(dir, '.log.gz')[2]!]) {
      const result = await verify(dir, { files: [name] }).done
      expect(result.files_total).toBe(1)
      expect(result.worker_thread_ids).toHaveLength(1)
      expect(verifyReportOf(result).files).toEqual(all.files.filter((file) => file.name === name))
    }
  })

  it('refuses a file name the store does not have', async () => {
    await expect(verify(small, { files: ['segment-9999999999.log'] }).done).rejects.toMatchObject({
      code: 'validation',
      field: 'files',
    })
  })

  it('uses two workers when there are two files or more, and never more workers than files', async () => {
    const result = await verify(large, { workerCount: 2 }).done
    const threads = new Set(result.files.map((file) => file.thread_id))
    expect(result.worker_thread_ids).toHaveLength(2)
    expect(threads).toEqual(new Set(result.worker_thread_ids))
    const one = await verify(large, { workerCount: 2, files: [namesIn(large, '.log')[0]!] }).done
    expect(one.worker_thread_ids).toHaveLength(1)
  })

  it('leaves the thread that started it free to serve while it runs', async () => {
    /** watch runs `run` and measures the longest gap of a 5 ms timer and the loop's busy share. */
    const watch = async (run: () => Promise<unknown>) => {
      let last = performance.now()
      let gapMaxMs = 0
      const timer = setInterval(() => {
        const now = performance.now()
        gapMaxMs = Math.max(gapMaxMs, now - last)
        last = now
      }, 5)
      const start = performance.eventLoopUtilization()
      try {
        await run()
      } finally {
        clearInterval(timer)
      }
      return { gapMaxMs, busy: performance.eventLoopUtilization(start).utilization }
    }
    const job = await watch(() => verify(large).done)
    const inThread = await watch(() => EventStore.verify(large))
    console.log(
      `responsiveness: during the job the longest timer gap was ${job.gapMaxMs.toFixed(1)} ms and ` +
        `the event loop was busy ${(job.busy * 100).toFixed(0)}% of the time; during ` +
        `EventStore.verify on the same thread ${inThread.gapMaxMs.toFixed(1)} ms and ${(inThread.busy * 100).toFixed(0)}%`,
    )
    expect(job.gapMaxMs).toBeLessThan(PROMPT_MS_MAX)
    expect(job.busy).toBeLessThan(0.5)
  })

  it('records verification times only for the writer, and the CLI never does', async () => {
    const dir = copyStore(small)
    await expect(verify(dir, { recordResults: true }).done).rejects.toMatchObject({
      code: 'read_only',
    })
    const cli = await runCli(['verify', dir, '--json'])
    expect(cli.code).toBe(0)
    expect(existsSync(join(dir, VERIFICATION_FILE))).toBe(false)

    const writer = await EventStore.open(dir, { segmentBytesMax: 4096 })
    onTestFinished(() => writer.close())
    const result = await verify(dir, { recordResults: true, nowMs: () => Date.UTC(2030, 0, 1) })
      .done
    expect(result.ok).toBe(true)
    const record = JSON.parse(readFileSync(join(dir, VERIFICATION_FILE), 'utf8')) as {
      files: Record<string, { verified_at: string; status: string }>
    }
    const segments = result.files.map((file) => file.name)
    expect(Object.keys(record.files).sort()).toEqual([...segments].sort())
    for (const name of segments) {
      expect(record.files[name]).toMatchObject({
        verified_at: '2030-01-01T00:00:00.000Z',
        status: 'ok',
      })
    }
    // The next job shows when each file was last verified before it started.
    const again = await verify(dir).done
    expect(again.files.every((file) => file.last_verified_at === '2030-01-01T00:00:00.000Z')).toBe(
      true,
    )
  })

  it('explains how to build the worker when its file is missing', async () => {
    const job = startVerification(small, { workerPath: join(tempDir(), 'verify-worker.js') })
    await expect(job.done).rejects.toThrow(
      /worker verify-worker\.js is missing .*run `npm run build`/,
    )
  })
})
