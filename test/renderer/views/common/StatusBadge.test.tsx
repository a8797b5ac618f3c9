// @vitest-environment jsdom
import { cleanup, render, screen } from '@testing-library/react'
import { afterEach, describe, expect, it } from 'vitest'
import { ProgressBar } from '../../../../src/renderer/src/views/common/ProgressBar'
import { StatusBadge } from '../../../../src/renderer/src/views/common/StatusBadge'

afterEach(cleanup)

describe('StatusBadge', () => {
  it('shows icon and words together, the icon hidden from screen readers', () => {
    render(<StatusBadge tone="bad" label="Corrupt" />)
    const badge = screen.getByText('Corrupt')
    expect(badge.className).toBe('status-badge status-badge--bad')
    expect(badge.querySelector('[aria-hidden="true"]')?.textContent).toBe('✕')
  })

  it('takes an icon that overrides the tone', () => {
    render(<StatusBadge tone="bad" icon="?" label="Missing" />)
    expect(screen.getByText('Missing').textContent).toBe('?Missing')
  })
})

describe('ProgressBar', () => {
  it('is a named progressbar clamped to its range', () => {
    render(<ProgressBar label="Copying" value={150} max={100} detail="done" />)
    const bar = screen.getByRole('progressbar', { name: 'Copying' })
    expect(bar.getAttribute('value')).toBe('100')
    expect(screen.getByText('done')).toBeTruthy()
  })

  it('shows an empty range as empty rather than dividing by zero', () => {
    render(<ProgressBar label="Nothing" value={0} max={0} />)
    const bar = screen.getByRole('progressbar', { name: 'Nothing' })
    expect([bar.getAttribute('value'), bar.getAttribute('max')]).toEqual(['0', '1'])
  })
})
