// @vitest-environment jsdom
import { cleanup, render, screen, within } from '@testing-library/react'
import { afterEach, describe, expect, it } from 'vitest'
import { HealthView } from '../../../../src/renderer/src/views/health/HealthView'
import { HEALTH } from '../fixtures'

afterEach(cleanup)

const card = (name: string) => screen.getByRole('region', { name })
const bar = (name: string) => screen.getByRole('progressbar', { name })

describe('HealthView', () => {
  it('shows disk usage as a bar with used share, free and total space', () => {
    render(<HealthView health={HEALTH} metricsUrl={null} />)
    expect(bar('Disk usage').getAttribute('value')).toBe('0.8')
    expect(card('Disk').textContent).toBe(
      'Disk80.0% used20 GiB free of 100 GiB; this store uses 62 MiB.',
    )
    // The disk component is degraded, so its gauge says so too.
    expect(bar('Disk usage').className).toContain('progress__bar--warn')
  })

  it('shows memory as RSS and heap, descriptors against their limit', () => {
    render(<HealthView health={HEALTH} metricsUrl={null} />)
    expect(card('Memory').textContent).toBe(
      'Memory2.4% of 8 GiBRSS 200 MiB; heap 60 MiB used of 100 MiB.',
    )
    expect(bar('Open file descriptors').getAttribute('value')).toBe('48')
    expect(bar('Open file descriptors').getAttribute('max')).toBe('1024')
    expect(within(card('File descriptors')).getByText('48 open of 1,024')).toBeTruthy()
  })

  it('says descriptors are not reported where the platform has no count', () => {
    const resources = { ...HEALTH.resources, open_fds: null, fd_limit: null }
    render(<HealthView health={{ ...HEALTH, resources }} metricsUrl={null} />)
    expect(card('File descriptors').textContent).toBe(
      'File descriptorsNot reported on this platform.',
    )
  })

  it('shows the append queue against its bounds and the error rates', () => {
    render(<HealthView health={HEALTH} metricsUrl={null} />)
    expect(bar('Queued events').getAttribute('max')).toBe('10000')
    expect(within(card('Append queue')).getByText('250 of 10,000 events')).toBeTruthy()
    expect(within(card('Append queue')).getByText('128 KiB of 64 MiB')).toBeTruthy()
    const facts = within(card('Errors and latency'))
    expect(facts.getByText('Append error rate').nextElementSibling?.textContent).toBe('1.23%')
    expect(facts.getByText('Query error rate').nextElementSibling?.textContent).toBe('0.00%')
  })

  it('lists every component with a worded status', () => {
    render(<HealthView health={HEALTH} metricsUrl={null} />)
    const items = within(screen.getByRole('list', { name: 'Components' })).getAllByRole('listitem')
    expect(items.map((item) => item.textContent)).toEqual([
      'storage✓Healthy3 segments, last fsync 2 ms ago',
      'disk⚠Degradedusage 80.0% is at the warning threshold',
      'append✓Healthyerror rate 1.23%',
    ])
  })

  it.each([
    [
      'the URL when metrics are served',
      'http://127.0.0.1:7700/metrics',
      'http://127.0.0.1:7700/metrics',
    ],
    ['"not served" otherwise', null, 'Not served.'],
  ])('shows %s', (_claim, metricsUrl, text) => {
    render(<HealthView health={HEALTH} metricsUrl={metricsUrl} />)
    expect(card('Metrics endpoint').textContent).toBe(`Metrics endpoint${text}`)
  })
})
