// @vitest-environment jsdom
import { act, cleanup, screen, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { afterEach, describe, expect, it } from 'vitest'
import type { JobInfo } from '../../../src/shared/storeApi'
import { FilesContainer } from '../../../src/renderer/src/containers/FilesContainer'
import { createFakeApi, fail, HANDLE, ok } from '../support/fakeApi'
import { deferred, renderShownStore, settle } from '../support/renderInspector'
import { SEGMENTS, verifyJob } from '../views/fixtures'

afterEach(cleanup)

const CORRUPT_FILE = '00000000000000050001.seg.gz'

async function renderFiles() {
  const fake = createFakeApi()
  fake.answer('listSegments', async () => ok(SEGMENTS))
  fake.answer('startVerification', async () => ok(verifyJob({ progress: null })))
  fake.answer('cancelJob', async () => ok(verifyJob({ state: 'cancelled' })))
  const rendered = await renderShownStore(<FilesContainer />, { fake })
  const pushJob = (job: JobInfo) => act(() => rendered.connection.push([{ type: 'job', job }]))
  return { ...rendered, pushJob, user: userEvent.setup({ delay: null }) }
}

const segmentNames = () => screen.getAllByRole('rowheader').map((header) => header.textContent)

describe('FilesContainer', () => {
  it('shows the segments the host lists, then the ones it pushes', async () => {
    const { fake, connection } = await renderFiles()
    expect(fake.callsOf('listSegments')).toEqual([{ handle: HANDLE }])
    expect(segmentNames()).toEqual(SEGMENTS.map((segment) => segment.name))

    act(() => connection.push([{ type: 'segments', handle: HANDLE, segments: [SEGMENTS[0]!] }]))
    expect(segmentNames()).toEqual([SEGMENTS[0]!.name])
  })

  it('Verify all starts a verification of the shown store and shows its pushed progress', async () => {
    const { fake, user, pushJob } = await renderFiles()
    await user.click(screen.getByRole('button', { name: 'Verify all' }))
    await settle()
    expect(fake.callsOf('startVerification')).toEqual([{ handle: HANDLE }])
    const panel = screen.getByRole('group', { name: 'Verification in progress' })
    expect(within(panel).getByText('Starting…')).toBeTruthy()

    pushJob(verifyJob())
    const bar = screen.getByRole('progressbar', { name: 'Overall verification progress' })
    expect(bar.getAttribute('value')).toBe('41943040')
    expect(panel.textContent).toContain('1 of 3 files · 40 MiB of 62 MiB (64%)')

    pushJob(verifyJob({ state: 'done', finished_at: verifyJob().started_at }))
    expect(screen.queryByRole('group', { name: 'Verification in progress' })).toBeNull()
    expect(screen.getByRole('status').textContent).toMatch(/^✕Damage found Last verification/)
  })

  it('Verify on a row verifies only that file, and Cancel cancels the running job', async () => {
    const { fake, user } = await renderFiles()
    await user.click(screen.getByRole('button', { name: `Verify ${CORRUPT_FILE}` }))
    await settle()
    expect(fake.callsOf('startVerification')).toEqual([{ handle: HANDLE, file: CORRUPT_FILE }])

    await user.click(screen.getByRole('button', { name: 'Cancel verification' }))
    await settle()
    expect(fake.callsOf('cancelJob')).toEqual([{ job_id: 'job-verify-1' }])
    expect(screen.getByRole('status').textContent).toMatch(/^○Cancelled/)
  })

  it('keeps a finished job finished when the start call answers after the push', async () => {
    const { fake, user, pushJob } = await renderFiles()
    const answer = deferred<Awaited<ReturnType<typeof fake.api.startVerification>>>()
    fake.answer('startVerification', () => answer.promise)
    await user.click(screen.getByRole('button', { name: 'Verify all' }))
    pushJob(verifyJob({ state: 'done', finished_at: verifyJob().started_at }))
    await act(async () => answer.resolve(ok(verifyJob({ progress: null }))))
    expect(screen.queryByRole('group', { name: 'Verification in progress' })).toBeNull()
    expect(screen.getByRole('status').textContent).toMatch(/Damage found/)
  })

  it('reports a refused start in words with what was being done', async () => {
    const { fake, user, inspector } = await renderFiles()
    fake.answer('startVerification', async () => fail('job_running', 'A verification runs.'))
    await user.click(screen.getByRole('button', { name: 'Verify all' }))
    await settle()
    expect(inspector.store.getState().session.lastError).toEqual({
      code: 'job_running',
      message: 'A verification runs.',
      action: 'Starting verification',
    })
  })

  it('carries out the native menu Verify once', async () => {
    const { fake, connection } = await renderFiles()
    act(() => connection.push([{ type: 'menu', command: 'verify' }]))
    await settle()
    act(() => connection.push([{ type: 'segments', handle: HANDLE, segments: SEGMENTS }]))
    await settle()
    expect(fake.callsOf('startVerification')).toEqual([{ handle: HANDLE }])
  })
})
