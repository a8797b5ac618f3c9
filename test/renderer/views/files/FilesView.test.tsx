// @vitest-environment jsdom
import { cleanup, render, screen, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { FilesView, type FilesViewProps } from '../../../../src/renderer/src/views/files/FilesView'
import { SEGMENTS, verifyJob } from '../fixtures'

afterEach(cleanup)

function renderView(props: Partial<FilesViewProps> = {}) {
  const handlers = {
    onVerifyAll: vi.fn(),
    onVerifyFile: vi.fn(),
    onCancelJob: vi.fn(),
    onRebuildIndexes: vi.fn(),
  }
  render(
    <FilesView
      segments={SEGMENTS}
      verifyJob={null}
      indexJob={null}
      rebuildBlockedReason={null}
      {...handlers}
      {...props}
    />,
  )
  return handlers
}

const rowOf = (name: string) => screen.getByRole('rowheader', { name }).closest('tr')!

describe('FilesView', () => {
  it('shows one row per segment with its facts', () => {
    renderView()
    const cells = within(rowOf('00000000000000000001.seg.gz')).getAllByRole('cell')
    expect(cells.map((cell) => cell.textContent)).toEqual([
      'Sealed, compressed',
      '30 MiB',
      '1 – 50,000',
      '2026-11-26 08:00:00.000Z – 2026-11-27 08:00:00.000Z',
      '50,000',
      '✓Checksums OK',
      '2026-11-27 09:15:00.000Z',
      'Verify',
    ])
    expect(within(rowOf('00000000000000098201.seg')).getByText('Active')).toBeTruthy()
    expect(within(rowOf('00000000000000098201.seg')).getByText('never')).toBeTruthy()
  })

  it('writes the date of a time range once when both ends share it', () => {
    renderView()
    const times = within(rowOf('00000000000000050001.seg.gz')).getAllByRole('cell')[3]!
    expect(times.textContent).toBe('2026-11-27 08:00:00.000Z – 11:00:00.000Z')
  })

  it('states each checksum status with an icon and words, not colour alone', () => {
    renderView()
    const badge = (name: string) => within(rowOf(name)).getAllByRole('cell')[5]!.firstElementChild!
    const corrupt = badge('00000000000000050001.seg.gz')
    expect(corrupt.className).toContain('status-badge--bad')
    expect(corrupt.textContent).toBe('✕Corrupt')
    expect(corrupt.querySelector('[aria-hidden="true"]')?.textContent).toBe('✕')
    expect(badge('00000000000000098201.seg').textContent).toBe('○Not verified')
  })

  it('lists the problems of a corrupt file with offset and reason', () => {
    renderView()
    const list = screen.getByRole('list', { name: 'Problems in 00000000000000050001.seg.gz' })
    expect(within(list).getByRole('listitem').textContent).toBe(
      'At byte offset 1,048,576: record checksum mismatch',
    )
    expect(screen.getAllByRole('list')).toHaveLength(1)
  })

  it('calls back with the chosen file or with all', async () => {
    const user = userEvent.setup({ delay: null })
    const { onVerifyAll, onVerifyFile } = renderView()
    await user.click(screen.getByRole('button', { name: 'Verify 00000000000000050001.seg.gz' }))
    await user.click(screen.getByRole('button', { name: 'Verify all' }))
    expect(onVerifyFile).toHaveBeenCalledWith('00000000000000050001.seg.gz')
    expect(onVerifyAll).toHaveBeenCalledTimes(1)
  })

  it('shows overall and per-file progress with throughput and ETA while a job runs', async () => {
    const user = userEvent.setup({ delay: null })
    const { onCancelJob } = renderView({ verifyJob: verifyJob() })
    const overall = screen.getByRole('progressbar', { name: 'Overall verification progress' })
    expect(overall.getAttribute('value')).toBe('41943040')
    expect(overall.getAttribute('max')).toBe('65011712')
    expect(screen.getByText(/files ·/).textContent).toBe(
      '1 of 3 files · 40 MiB of 62 MiB (64%) · 10 MiB/s · about 2.2 s left',
    )
    const perFile = screen.getByRole('progressbar', {
      name: 'Verification progress of 00000000000000050001.seg.gz',
    })
    expect(perFile.getAttribute('value')).toBe('10485760')
    // The job's newer view wins once it has reached a file; untouched files keep theirs.
    expect(within(rowOf('00000000000000050001.seg.gz')).getByText('Verifying')).toBeTruthy()
    expect(within(rowOf('00000000000000098201.seg')).getByText('Not verified')).toBeTruthy()

    expect(screen.getByRole('button', { name: 'Verify all' })).toHaveProperty('disabled', true)
    expect(
      screen.getByRole('button', { name: 'Verify 00000000000000000001.seg.gz' }),
    ).toHaveProperty('disabled', true)
    await user.click(screen.getByRole('button', { name: 'Cancel verification' }))
    expect(onCancelJob).toHaveBeenCalledWith('job-verify-1')
  })

  it('reports how a finished job ended and enables verification again', () => {
    const job = verifyJob({ state: 'cancelled', finished_at: '2026-11-27T11:59:58.000Z' })
    renderView({ verifyJob: job })
    expect(screen.getByRole('status').textContent).toBe(
      '○Cancelled Last verification started 2026-11-27 11:59:56.000Z in 2 s',
    )
    expect(screen.queryByRole('progressbar')).toBeNull()
    expect(screen.getByRole('button', { name: 'Verify all' })).toHaveProperty('disabled', false)
  })
})
