import { readdirSync, readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { JobInfo } from '../../../src/shared/storeApi'
import { INDEX_WORKER_FILE } from '../../../src/main/host/indexRebuildRun'
import { parseIndexName } from '../../../src/main/engine/segmentIndex'
import type { HostClient } from '../../../src/main/host/hostClient'
import { flipByte } from '../../support/corrupt'
import { useBundledWorker } from '../../support/bundledWorker'
import { buildStore, connect, errorCode, makeHost, until, value } from './hostHarness'

/**
 * The rebuild_indexes job: a writer's sealed segments get their index files back from
 * their logs on the host's index worker, the open store uses them at once, and the job
 * is refused to a follower and while another job runs. The worker is bundled from its
 * source here (as electron-vite would), so the test runs the worker code of this tree.
 */
const indexWorkerPath = useBundledWorker('host/indexWorker.ts', INDEX_WORKER_FILE)

const indexFiles = (dir: string) =>
  readdirSync(dir)
    .filter((name) => parseIndexName(name) !== null)
    .sort()

async function finished(client: HostClient, job: JobInfo): Promise<JobInfo> {
  let latest = job
  await until(`job ${job.kind} to end`, async () => {
    latest = value(await client.getJob({ job_id: job.job_id }))
    return latest.state !== 'running'
  })
  return latest
}

const agentQuery = { aggregate_ids: ['agent-1'], limit: 1000 }

describe('rebuild_indexes job', () => {
  it('writes a deleted and a corrupted index file back as they were, and queries use them', async () => {
    const { host } = makeHost({ indexWorkerPath: indexWorkerPath() })
    const { client, recorder } = connect(host)
    const path = await buildStore(600)
    const { handle } = value(await client.openStore({ path, access: 'write' }))
    const names = indexFiles(path)
    expect(names.length).toBeGreaterThanOrEqual(3)
    const original = new Map(names.map((name) => [name, readFileSync(join(path, name))]))
    const before = value(await client.query({ handle, query: agentQuery }))
    expect(before.plan.index_used.length).toBeGreaterThan(0)

    const [deleted, corrupted] = [names[0]!, names[1]!]
    rmSync(join(path, deleted))
    flipByte(join(path, corrupted), 20)
    // The store notices the damage as it would on its next read of those indexes.
    const indexes = host.hosted(handle).store.indexes
    for (const name of [deleted, corrupted]) {
      expect(await indexes.load(parseIndexName(name)!)).not.toBeNull()
    }

    const job = value(await client.rebuildIndexes({ handle }))
    expect(job).toMatchObject({ kind: 'rebuild_indexes', state: 'running', handle })
    const done = await finished(client, job)
    expect(done.state).toBe('done')
    expect(done.index_rebuild).toEqual({
      segments_total: names.length,
      segments_done: names.length,
      skipped: [],
    })
    expect(indexFiles(path)).toEqual(names)
    for (const name of names) {
      expect(readFileSync(join(path, name)).equals(original.get(name)!), name).toBe(true)
      expect(indexes.status(parseIndexName(name)!), name).toBe('usable')
    }
    const after = value(await client.query({ handle, query: agentQuery }))
    expect(after.events).toEqual(before.events)
    expect(after.total_count).toBe(before.total_count)
    expect(after.plan.index_used).toEqual(before.plan.index_used)
    // Job pushes describe a state, so a client's channel may keep only the newest.
    await until('the final job push', () =>
      recorder.of('job').some((p) => p.job.job_id === job.job_id && p.job.state === 'done'),
    )
    const last = recorder
      .of('job')
      .filter((p) => p.job.job_id === job.job_id)
      .at(-1)!
    expect(last.job.index_rebuild).toEqual(done.index_rebuild)
  })

  it('refuses a second job and closing the store while the rebuild runs', async () => {
    const { host } = makeHost({ indexWorkerPath: indexWorkerPath() })
    const { client } = connect(host)
    const path = await buildStore(600)
    const { handle } = value(await client.openStore({ path, access: 'write' }))
    const job = value(await client.rebuildIndexes({ handle }))
    expect(errorCode(await client.rebuildIndexes({ handle }))).toBe('job_running')
    expect(errorCode(await client.startVerification({ handle }))).toBe('job_running')
    expect(errorCode(await client.closeStore({ handle }))).toBe('job_running')
    expect((await finished(client, job)).state).toBe('done')
  })

  it('refuses a follower with read_only and starts no job', async () => {
    const { host } = makeHost({ indexWorkerPath: indexWorkerPath() })
    const { client } = connect(host)
    const path = await buildStore(300)
    const { handle } = value(await client.openStore({ path, access: 'follow' }))
    expect(errorCode(await client.rebuildIndexes({ handle }))).toBe('read_only')
    expect(host.jobs.runningOn(handle)).toBeUndefined()
  })
})
