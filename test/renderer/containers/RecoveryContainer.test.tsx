// @vitest-environment jsdom
import { act, cleanup, screen, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { afterEach, describe, expect, it } from 'vitest'
import type { JobInfo } from '../../../src/shared/storeApi'
import { RecoveryContainer } from '../../../src/renderer/src/containers/RecoveryContainer'
import { createFakeApi, HANDLE, makeSummary, ok } from '../support/fakeApi'
import { renderShownStore, settle } from '../support/renderInspector'
import { MANUAL_REPORT, OPEN_REPORT, REPORT_ENTRIES, slaSnapshot } from '../views/fixtures'

afterEach(cleanup)

function recoverJob(overrides: Partial<JobInfo> = {}): JobInfo {
  return {
    job_id: 'job-recover-1',
    handle: HANDLE,
    kind: 'recover',
    state: 'running',
    started_at: MANUAL_REPORT.started_at,
    finished_at: null,
    progress: null,
    report: null,
    error: null,
    ...overrides,
  }
}

async function renderRecovery(fake = createFakeApi(makeSummary({ mode: 'needs_recovery' }))) {
  fake.answer('listRecoveryReports', async () => ok(REPORT_ENTRIES))
  fake.answer('getRecoveryReport', async ({ id }) =>
    ok(id === 'rep-1' ? OPEN_REPORT : MANUAL_REPORT),
  )
  fake.answer('runRecovery', async () => ok(recoverJob()))
  const rendered = await renderShownStore(<RecoveryContainer />, { fake })
  return { ...rendered, user: userEvent.setup({ delay: null }) }
}

describe('RecoveryContainer', () => {
  it('lists the reports and reads the one picked', async () => {
    const { fake, user } = await renderRecovery()
    expect(fake.callsOf('listRecoveryReports')).toEqual([{ handle: HANDLE }])
    await user.click(screen.getByRole('button', { name: '2026-11-27 08:00:00.000Z' }))
    await settle()
    expect(fake.callsOf('getRecoveryReport')).toEqual([{ handle: HANDLE, id: 'rep-1' }])
    expect(screen.getByRole('article', { name: 'Report of 2026-11-27 08:00:00.000Z' })).toBeTruthy()
  })

  it('runs recovery only after the confirmation, then shows its report and lists it', async () => {
    const { fake, user, connection } = await renderRecovery()
    await user.click(screen.getByRole('button', { name: 'Run recovery…' }))
    const dialog = screen.getByRole('dialog', { name: 'Run recovery?' })
    expect(fake.callsOf('runRecovery')).toEqual([])

    await user.click(within(dialog).getByRole('button', { name: 'Run recovery' }))
    await settle()
    expect(fake.callsOf('runRecovery')).toEqual([{ handle: HANDLE }])
    expect(screen.getByRole('status').textContent).toMatch(/^Recovery is running/)

    const done = recoverJob({
      state: 'done',
      finished_at: MANUAL_REPORT.finished_at,
      report: MANUAL_REPORT,
    })
    act(() => connection.push([{ type: 'job', job: done }]))
    await settle()
    expect(screen.getByRole('article', { name: 'Result of this recovery' })).toBeTruthy()
    // The finished job added a report, so the list is read again.
    expect(fake.callsOf('listRecoveryReports')).toHaveLength(2)
  })

  it('runs nothing when the confirmation is cancelled', async () => {
    const { fake, user } = await renderRecovery()
    await user.click(screen.getByRole('button', { name: 'Run recovery…' }))
    await user.click(screen.getByRole('button', { name: 'Cancel' }))
    await settle()
    expect(screen.queryByRole('dialog')).toBeNull()
    expect(fake.callsOf('runRecovery')).toEqual([])
  })

  it('approves the return to normal and shows the answered level', async () => {
    const fake = createFakeApi()
    const recovering = slaSnapshot({
      level: 'RECOVERING',
      recovery: { verification_passed_at: '2026-11-27T11:50:00.000Z', can_approve: true },
    })
    fake.answer('slaSnapshot', async () => ok(recovering))
    fake.answer('approveRecovery', async () => ok(slaSnapshot({ level: 'NORMAL', recovery: null })))
    const { user, inspector } = await renderRecovery(fake)
    await user.click(screen.getByRole('button', { name: 'Approve return to normal' }))
    await settle()
    expect(fake.callsOf('approveRecovery')).toEqual([{ handle: HANDLE }])
    expect(inspector.store.getState().monitor.sla[HANDLE]?.level).toBe('NORMAL')
    expect(screen.queryByRole('button', { name: 'Approve return to normal' })).toBeNull()
  })
})
