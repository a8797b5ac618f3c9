import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { JobInfo } from '../../../src/shared/storeApi'
import { RECOVER_WORKER_FILE } from '../../../src/main/host/recoveryRun'
import { flipByte } from '../../support/corrupt'
import { useBundledWorker } from '../../support/bundledWorker'
import { buildStore, connect, errorCode, makeHost, until, value } from './hostHarness'
import type { HostClient } from '../../../src/main/host/hostClient'

/**
 * Jobs: verification on the engine's worker threads with progress and segment statuses
 * pushed, recovery on the host's own worker thread with the store closed and reopened
 * under the same handle, one job per store at a time, and the reports recovery leaves.
 *
 * The recovery worker is bundled from its source here (as electron-vite would), so the
 * test runs the worker code of this tree rather than whatever out/ holds.
 */
const recoverWorkerPath = useBundledWorker('host/recoverWorker.ts', RECOVER_WORKER_FILE)

const files = (dir: string, suffix: string) =>
  readdirSync(dir)
    .filter((name) => name.endsWith(suffix))
    .sort()

async function finished(client: HostClient, job: JobInfo): Promise<JobInfo> {
  let latest = job
  await until(`job ${job.kind} to end`, async () => {
    latest = value(await client.getJob({ job_id: job.job_id }))
    return latest.state !== 'running'
  })
  return latest
}

describe('StoreHost jobs', () => {
  it('verifies a store on worker threads, pushing progress, and shows a damaged sealed segment as corrupt', async () => {
    const { host } = makeHost({ recoverWorkerPath: recoverWorkerPath() })
    const { client, recorder } = connect(host)
    const path = await buildStore(600)
    const damaged = files(path, '.log.gz')[1]!
    flipByte(join(path, damaged), 200)
    const { handle } = value(await client.openStore({ path, access: 'write' }))
    const job = value(await client.startVerification({ handle }))
    expect(job).toMatchObject({ kind: 'verify', state: 'running', handle })
    const done = await finished(client, job)
    expect(done.state).toBe('done')
    expect(done.progress).toMatchObject({ finished: true })
    expect(done.progress!.files_done).toBe(done.progress!.files_total)
    await until('the final job push', () =>
      recorder.of('job').some((p) => p.job.job_id === job.job_id && p.job.state === 'done'),
    )
    const rows = value(await client.listSegments({ handle }))
    const row = rows.find((r) => r.name === damaged)!
    expect(row.checksum).toBe('corrupt')
    expect(row.problems.length).toBeGreaterThan(0)
    expect(row.last_verified_at).not.toBeNull()
    expect(
      rows.filter((r) => r.name !== damaged && r.checksum !== 'ok' && r.checksum !== 'corrupt'),
    ).toEqual([])
    await until('a segments push with the damage', () =>
      recorder
        .of('segments')
        .some((p) => p.segments.some((s) => s.name === damaged && s.checksum === 'corrupt')),
    )
  })

  it('lists segments with their kind, ranges and times, and verifies one file on its own', async () => {
    const { host } = makeHost({ recoverWorkerPath: recoverWorkerPath() })
    const { client } = connect(host)
    const path = await buildStore(300)
    const { handle } = value(await client.openStore({ path, access: 'write' }))
    const rows = value(await client.listSegments({ handle }))
    expect(rows.filter((r) => r.active)).toHaveLength(1)
    expect(rows.at(-1)!.active).toBe(true)
    expect(rows.some((r) => r.compressed)).toBe(true)
    expect(rows.every((r) => r.checksum === 'unverified')).toBe(true)
    expect(rows.reduce((n, r) => n + r.records, 0)).toBe(300)
    for (const row of rows.filter((r) => r.records > 0)) {
      expect(row.first_timestamp).toMatch(/^\d{4}-/)
      expect(row.last_timestamp).toMatch(/^\d{4}-/)
    }
    const job = value(await client.startVerification({ handle, file: rows[0]!.name }))
    expect((await finished(client, job)).progress!.files_total).toBe(1)
    const after = value(await client.listSegments({ handle }))
    expect(after[0]!.checksum).toBe('ok')
    expect(after[1]!.checksum).toBe('unverified')
  })

  it('refuses a second job on a store while one runs, and cancels a verification', async () => {
    const { host } = makeHost({ recoverWorkerPath: recoverWorkerPath() })
    const { client } = connect(host)
    const path = await buildStore(2000)
    const { handle } = value(await client.openStore({ path, access: 'write' }))
    const job = value(await client.startVerification({ handle }))
    expect(errorCode(await client.startVerification({ handle }))).toBe('job_running')
    expect(errorCode(await client.runRecovery({ handle }))).toBe('job_running')
    const cancelled = value(await client.cancelJob({ job_id: job.job_id }))
    const ended = await finished(client, cancelled)
    // A job whose last file was checked before the cancel arrived ends as done.
    expect(['cancelled', 'done']).toContain(ended.state)
    expect(value(await client.startVerification({ handle })).state).toBe('running')
  })

  it('recovers a damaged store on a worker thread and reopens it under the same handle', async () => {
    const { host } = makeHost({ recoverWorkerPath: recoverWorkerPath() })
    const { client, recorder } = connect(host)
    const path = await buildStore(300)
    flipByte(join(path, files(path, '.log.gz')[1]!), 200)
    const { handle } = value(await client.openStore({ path, access: 'write' }))
    const subscription = value(await client.subscribe({ handle, filter: {} }))
    const job = value(await client.runRecovery({ handle }))
    expect(errorCode(await client.cancelJob({ job_id: job.job_id }))).toBe('validation')
    const done = await finished(client, job)
    expect(done.error).toBeNull()
    expect(done.state).toBe('done')
    expect(done.report!.actions.length).toBeGreaterThan(0)
    const summary = value(await client.summary({ handle }))
    expect(summary.mode).toBe('writable')
    expect(summary.event_count).toBeLessThan(300)
    await until('the subscription to end with the store', () =>
      recorder
        .of('subscription_ended')
        .some(
          (p) => p.subscription_id === subscription.subscription_id && p.reason === 'store_closed',
        ),
    )
    const reports = value(await client.listRecoveryReports({ handle }))
    const manual = reports.find((r) => r.trigger === 'manual')!
    expect(manual).toMatchObject({ ok: true, actions: done.report!.actions.length })
    expect(value(await client.getRecoveryReport({ handle, id: manual.id }))).toEqual(done.report)
  })
})
