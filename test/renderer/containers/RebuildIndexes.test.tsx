// @vitest-environment jsdom
import { act, cleanup, screen, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { afterEach, describe, expect, it } from 'vitest'
import type { JobInfo } from '../../../src/shared/storeApi'
import { FilesContainer } from '../../../src/renderer/src/containers/FilesContainer'
import { createFakeApi, fail, HANDLE, makeSummary, ok } from '../support/fakeApi'
import { renderShownStore, settle } from '../support/renderInspector'
import { SEGMENTS, verifyJob } from '../views/fixtures'

/**
 * The Files view's "Rebuild indexes" button: it starts the host's rebuild_indexes job on
 * the shown store and shows the job's pushed progress and outcome; it is disabled, with
 * the reason beside it, for a follower and while any job runs on the store.
 */
afterEach(cleanup)

function indexJob(overrides: Partial<JobInfo> = {}): JobInfo {
  return {
    job_id: 'job-index-1',
    handle: HANDLE,
    kind: 'rebuild_indexes',
    state: 'running',
    started_at: '2026-11-27T09:00:00.000Z',
    finished_at: null,
    progress: null,
    report: null,
    error: null,
    ...overrides,
  }
}

async function renderFiles(access: 'write' | 'follow' = 'write') {
  const fake = createFakeApi(makeSummary({ access }))
  fake.answer('listSegments', async () => ok(SEGMENTS))
  fake.answer('rebuildIndexes', async () => ok(indexJob()))
  const rendered = await renderShownStore(<FilesContainer />, { fake })
  const pushJob = (job: JobInfo) => act(() => rendered.connection.push([{ type: 'job', job }]))
  return { ...rendered, pushJob, user: userEvent.setup({ delay: null }) }
}

const rebuildButton = () => screen.getByRole('button', { name: 'Rebuild indexes' })
const rebuildGroup = () => screen.getByRole('group', { name: 'Index rebuild' })

describe('Rebuild indexes in the Files view', () => {
  it('starts a rebuild of the shown store and shows its pushed progress, then its outcome', async () => {
    const { fake, user, pushJob } = await renderFiles()
    await user.click(rebuildButton())
    await settle()
    expect(fake.callsOf('rebuildIndexes')).toEqual([{ handle: HANDLE }])
    expect(within(rebuildGroup()).getByText('Starting…')).toBeTruthy()
    expect(rebuildButton()).toHaveProperty('disabled', true)

    pushJob(indexJob({ index_rebuild: { segments_total: 4, segments_done: 1, skipped: [] } }))
    const bar = screen.getByRole('progressbar', { name: 'Index rebuild progress' })
    expect(bar.getAttribute('value')).toBe('1')
    expect(rebuildGroup().textContent).toContain('1 of 4 sealed segments')

    pushJob(
      indexJob({
        state: 'done',
        finished_at: '2026-11-27T09:00:02.000Z',
        index_rebuild: {
          segments_total: 4,
          segments_done: 4,
          skipped: [{ name: '00000000000000050001.seg.gz', reason: 'sealed file differs' }],
        },
      }),
    )
    const outcome = within(rebuildGroup()).getByRole('status')
    expect(outcome.textContent).toBe(
      '✕3 indexes rebuilt 00000000000000050001.seg.gz not indexed: sealed file differs.',
    )
    expect(rebuildButton()).toHaveProperty('disabled', false)
  })

  it('is disabled for a follower, saying why', async () => {
    const { fake, user } = await renderFiles('follow')
    const button = rebuildButton()
    expect(button).toHaveProperty('disabled', true)
    const reason = document.getElementById(button.getAttribute('aria-describedby')!)
    expect(reason?.textContent).toBe(
      'Only the store’s writer rebuilds indexes; this store is open for following.',
    )
    await user.click(button)
    expect(fake.callsOf('rebuildIndexes')).toEqual([])
  })

  it('is disabled while another job runs on the store, and enabled once it ends', async () => {
    const { pushJob } = await renderFiles()
    pushJob(verifyJob())
    expect(rebuildButton()).toHaveProperty('disabled', true)
    expect(rebuildGroup().textContent).toContain('A verification is running on this store.')
    pushJob(verifyJob({ state: 'done', finished_at: verifyJob().started_at }))
    expect(rebuildButton()).toHaveProperty('disabled', false)
  })

  it('reports a refusal from the host', async () => {
    const { fake, user, inspector } = await renderFiles()
    fake.answer('rebuildIndexes', async () => fail('job_running', 'A recover job is running.'))
    await user.click(rebuildButton())
    await settle()
    expect(inspector.store.getState().session.lastError).toEqual({
      code: 'job_running',
      message: 'A recover job is running.',
      action: 'Rebuilding the indexes',
    })
  })
})
