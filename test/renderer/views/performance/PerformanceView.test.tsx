// @vitest-environment jsdom
import { cleanup, render, screen, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { PerformanceView } from '../../../../src/renderer/src/views/performance/PerformanceView'
import { slaHistory, slaSnapshot } from '../fixtures'

const SIZE = { width: 480, height: 200 }
const figure = (name: string) => screen.getByRole('figure', { name })
const caption = (name: string) => figure(name).querySelector('figcaption')?.textContent

// Eight recharts charts take seconds to render in jsdom, so one render serves the claims
// below; the range test changes it and therefore runs last.
describe('PerformanceView with data', () => {
  beforeAll(() => {
    // recharts watches its container's size; jsdom has no ResizeObserver.
    globalThis.ResizeObserver ??= class {
      observe() {}
      unobserve() {}
      disconnect() {}
    }
    render(
      <PerformanceView
        snapshot={slaSnapshot()}
        history={slaHistory()}
        chartSize={SIZE}
        initialRange="24h"
      />,
    )
  })
  afterAll(cleanup)

  it('draws one chart per latency series, then throughput and the SLA level', () => {
    const titles = screen
      .getAllByRole('figure')
      .map((f) => f.querySelector('.chart-figure__title')?.textContent)
    expect(titles).toEqual([
      'Append latency',
      'Batch append latency',
      'fsync latency',
      'Query by id latency',
      'Range query latency',
      'Subscription delivery latency',
      'Throughput',
      'SLA level',
    ])
    expect(figure('Append latency').querySelectorAll('.recharts-line')).toHaveLength(4)
  })

  it('draws every SLA threshold of a series, labelling those far enough apart to read', () => {
    const append = figure('Append latency')
    expect(append.querySelectorAll('.recharts-reference-line')).toHaveLength(4)
    // 2, 5 and 10 ms crowd the bottom of a 100 ms axis: only the highest of them is labelled.
    expect([...append.querySelectorAll('.recharts-label')].map((t) => t.textContent)).toEqual([
      'p99 SLA 10 ms',
      'p99.9 SLA 100 ms',
    ])
    expect(caption('Append latency')).toContain('SLA: p50 ≤ 2 ms, p95 ≤ 5 ms, p99 ≤ 10 ms')
    expect(figure('fsync latency').querySelectorAll('.recharts-reference-line')).toHaveLength(0)
    expect(caption('fsync latency')).toMatch(/No SLA target\.$/)
  })

  it('marks the ongoing violation on its series only', () => {
    expect(figure('Append latency').querySelectorAll('.recharts-reference-area')).toHaveLength(1)
    expect(caption('Append latency')).toMatch(/1 violation\(s\) marked\.$/)
    expect(
      figure('Batch append latency').querySelectorAll('.recharts-reference-area'),
    ).toHaveLength(0)
  })

  it('states the latest percentiles in ms beside each chart', () => {
    // The last fixture point has p50 = 1,400 µs; the other percentiles are multiples of it.
    expect(caption('Query by id latency')).toBe(
      'Query by id latency Latest: p50 1.4 ms, p95 4.2 ms, p99 8.4 ms, p99.9 28 ms. SLA: p99 ≤ 1 ms.',
    )
    expect(caption('Throughput')).toBe('Throughput Now 2,400 events/s (10 s window).')
  })

  it('lists each SLA with target, observed value and a worded status', () => {
    const table = screen.getByRole('table', { name: 'Latency SLAs' })
    const rows = within(table).getAllByRole('row').slice(1)
    expect(rows.map((row) => row.textContent)).toEqual([
      'append p50 (1m)≤ 2 ms1 ms✓Met',
      'append p99 (1m)≤ 10 ms14.2 ms✕Violated',
      'query by id p99 (1m)≤ 1 ms—○No data',
    ])
  })

  it('narrows every chart when a shorter time range is chosen', async () => {
    const user = userEvent.setup({ delay: null })
    const changes = () => within(figure('SLA level')).queryByRole('list', { name: 'Level changes' })
    expect(changes()?.children).toHaveLength(3)
    await user.click(screen.getByRole('radio', { name: '5 min' }))
    expect(screen.getByRole('radio', { name: '5 min' })).toHaveProperty('checked', true)
    expect(changes()).toBeNull()
    expect(caption('SLA level')).toBe('SLA level WARNING throughout this range.')
  })
})

describe('PerformanceView without data', () => {
  afterAll(cleanup)

  it('waits for the first measurements instead of drawing empty charts', () => {
    render(<PerformanceView snapshot={null} history={null} />)
    expect(screen.getByRole('status').textContent).toBe('Waiting for the first measurements…')
    expect(screen.queryByRole('figure')).toBeNull()
  })
})
