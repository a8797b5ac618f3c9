// @vitest-environment jsdom
import { cleanup, render, screen, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { afterEach, describe, expect, it, vi } from 'vitest'
import {
  RecoveryView,
  type RecoveryViewProps,
} from '../../../../src/renderer/src/views/recovery/RecoveryView'
import { MANUAL_REPORT, OPEN_REPORT, REPORT_ENTRIES } from '../fixtures'

afterEach(cleanup)

const RECOVERING: RecoveryViewProps['sla'] = {
  level: 'RECOVERING',
  since: '2026-11-27T11:41:00.000Z',
  recovery: { verification_passed_at: null, can_approve: false },
}

function renderView(props: Partial<RecoveryViewProps> = {}) {
  const handlers = { onSelectReport: vi.fn(), onRunRecovery: vi.fn(), onApprove: vi.fn() }
  const all: RecoveryViewProps = {
    reports: REPORT_ENTRIES,
    selectedReportId: null,
    selectedReport: null,
    recoveryJob: null,
    access: 'write',
    mode: 'needs_recovery',
    sla: null,
    ...handlers,
    ...props,
  }
  render(<RecoveryView {...all} />)
  return handlers
}

describe('RecoveryView', () => {
  it('lists every report with trigger, result, counts and duration', async () => {
    const user = userEvent.setup({ delay: null })
    const { onSelectReport } = renderView()
    const rows = within(screen.getByRole('table')).getAllByRole<HTMLTableRowElement>('row').slice(1)
    expect(rows.map((row) => [...row.cells].map((cell) => cell.textContent))).toEqual([
      ['2026-11-27 11:40:00.000Z', 'Manual', '✓Recovered', '3', '0', '2.35 s'],
      ['2026-11-27 08:00:00.000Z', 'At open', '✕Damage remains', '1', '1', '120 ms'],
    ])
    await user.click(screen.getByRole('button', { name: '2026-11-27 08:00:00.000Z' }))
    expect(onSelectReport).toHaveBeenCalledWith('rep-1')
  })

  it('details every action and the problems that remain', () => {
    renderView({ selectedReportId: 'rep-1', selectedReport: OPEN_REPORT })
    const detail = screen.getByRole('article', { name: 'Report of 2026-11-27 08:00:00.000Z' })
    expect(
      within(detail).getByText(/took 120 ms; store mode afterwards: needs recovery/),
    ).toBeTruthy()
    const cells = within(detail)
      .getAllByRole('cell')
      .map((cell) => cell.textContent)
    expect(cells).toEqual([
      'Cut torn tail',
      '00000000000000050001.seg',
      '2,000',
      '17 B',
      'torn record at the tail',
      '—',
    ])
    const problems = within(detail).getByRole('list', { name: 'Remaining problems' })
    expect(problems.textContent).toBe(
      '00000000000000050001.seg.gz at byte offset 1,048,576: record checksum mismatch',
    )
  })

  it('shows where removed bytes were saved', () => {
    renderView({ selectedReportId: 'rep-2', selectedReport: MANUAL_REPORT })
    expect(screen.getByText('quarantine/00000000000000050001.seg.gz')).toBeTruthy()
    expect(screen.getByText('Rebuilt index')).toBeTruthy()
    expect(screen.getByText('No damage remains.')).toBeTruthy()
  })

  it('runs recovery only after the confirmation says what it will do', async () => {
    const user = userEvent.setup({ delay: null })
    const { onRunRecovery } = renderView()
    await user.click(screen.getByRole('button', { name: 'Run recovery…' }))
    const dialog = screen.getByRole('dialog', { name: 'Run recovery?' })
    expect(dialog.textContent).toMatch(/cut a torn record/)
    expect(dialog.textContent).toMatch(/quarantine everything after the first damage/)
    expect(dialog.textContent).toMatch(/never deleted/)
    expect(dialog.textContent).toMatch(/rebuild the manifests and indexes/)
    expect(dialog.textContent).toMatch(/closed, repaired and reopened/)
    expect(document.activeElement).toBe(within(dialog).getByRole('button', { name: 'Cancel' }))

    await user.keyboard('{Escape}')
    expect(screen.queryByRole('dialog')).toBeNull()
    expect(document.activeElement).toBe(screen.getByRole('button', { name: 'Run recovery…' }))
    expect(onRunRecovery).not.toHaveBeenCalled()

    await user.click(screen.getByRole('button', { name: 'Run recovery…' }))
    await user.click(screen.getByRole('button', { name: 'Run recovery' }))
    expect(onRunRecovery).toHaveBeenCalledTimes(1)
    expect(screen.queryByRole('dialog')).toBeNull()
  })

  it.each([
    ['a follower', { access: 'follow' }, /only that writer can recover it/],
    ['a read-only store', { mode: 'read_only' }, /open it for writing/],
  ] as const)('disables Run recovery for %s and says why', (_claim, props, reason) => {
    renderView(props)
    const button = screen.getByRole('button', { name: 'Run recovery…' })
    expect(button).toHaveProperty('disabled', true)
    expect(document.getElementById(button.getAttribute('aria-describedby')!)?.textContent).toMatch(
      reason,
    )
  })

  it('reports a running recovery and then its result', () => {
    const job = {
      job_id: 'job-r',
      handle: 'store-1',
      kind: 'recover',
      state: 'running',
      started_at: MANUAL_REPORT.started_at,
      finished_at: null,
      progress: null,
      report: null,
      error: null,
    } as const
    renderView({ recoveryJob: job })
    expect(screen.getByRole('status').textContent).toMatch(/closed and reopens/)
    expect(screen.getByRole('button', { name: 'Run recovery…' })).toHaveProperty('disabled', true)
    cleanup()
    renderView({ recoveryJob: { ...job, state: 'done', report: MANUAL_REPORT } })
    expect(screen.getByRole('article', { name: 'Result of this recovery' })).toBeTruthy()
  })

  it('hides the approval panel unless the SLA level is RECOVERING', () => {
    renderView({ sla: { ...RECOVERING, level: 'NORMAL', recovery: null } })
    expect(screen.queryByRole('button', { name: 'Approve return to normal' })).toBeNull()
  })

  it.each([
    [
      'before a verification passed',
      'write',
      RECOVERING,
      /No verification has passed since .* 11:41:00\.000Z/,
    ],
    [
      'while the host refuses',
      'write',
      {
        ...RECOVERING,
        recovery: { verification_passed_at: '2026-11-27T11:45:00.000Z', can_approve: false },
      },
      /passed at 2026-11-27 11:45:00\.000Z, but the host does not accept approval yet/,
    ],
    [
      'in a follower',
      'follow',
      {
        ...RECOVERING,
        recovery: { verification_passed_at: '2026-11-27T11:45:00.000Z', can_approve: true },
      },
      /only that writer can approve/,
    ],
  ] as const)('disables Approve %s, with the reason', (_claim, access, sla, reason) => {
    renderView({ access, sla })
    const approve = screen.getByRole('button', { name: 'Approve return to normal' })
    expect(approve).toHaveProperty('disabled', true)
    expect(approve.getAttribute('aria-describedby')).toBeTruthy()
    expect(document.getElementById(approve.getAttribute('aria-describedby')!)?.textContent).toMatch(
      reason,
    )
  })

  it('approves once verification passed and the host allows it', async () => {
    const user = userEvent.setup({ delay: null })
    const sla = {
      ...RECOVERING,
      recovery: { verification_passed_at: '2026-11-27T11:45:00.000Z', can_approve: true },
    }
    const { onApprove } = renderView({ sla, mode: 'writable' })
    expect(screen.getByText('Passed at 2026-11-27 11:45:00.000Z')).toBeTruthy()
    const approve = screen.getByRole('button', { name: 'Approve return to normal' })
    expect(approve.getAttribute('aria-describedby')).toBeNull()
    await user.click(approve)
    expect(onApprove).toHaveBeenCalledTimes(1)
  })
})
