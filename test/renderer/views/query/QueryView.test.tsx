// @vitest-environment jsdom
import { cleanup, render, screen, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { EventQuery } from '../../../../src/shared/query'
import { QueryView, type QueryViewProps } from '../../../../src/renderer/src/views/query/QueryView'
import { queriedEvent, queryResult } from '../fixtures'

afterEach(cleanup)

function renderView(props: Partial<QueryViewProps> = {}) {
  const handlers = { onRun: vi.fn<(q: EventQuery) => void>(), onSelectEvent: vi.fn() }
  const all: QueryViewProps = { result: null, loading: false, error: null, ...handlers, ...props }
  const view = render(<QueryView {...all} />)
  const rerender = (next: Partial<QueryViewProps>) =>
    view.rerender(<QueryView {...all} {...next} />)
  return { ...handlers, rerender }
}

describe('QueryView', () => {
  it('builds an EventQuery with every field from the inputs', async () => {
    const user = userEvent.setup({ delay: null })
    const { onRun } = renderView()
    await user.type(screen.getByLabelText('Event types'), 'command_executed{Enter}command_failed,')
    await user.type(screen.getByLabelText('Aggregate ids'), 'robot-1{Enter}')
    await user.type(screen.getByLabelText('Aggregate types'), 'robot{Enter}')
    await user.type(screen.getByLabelText('Source agents'), 'agent-1{Enter}')
    // Left in the box without Enter: leaving the field still adds it.
    await user.type(screen.getByLabelText('Source components'), 'scheduler')
    await user.type(screen.getByLabelText('Correlation id'), 'corr-7')
    await user.type(screen.getByLabelText('Causation id'), 'cause-3')
    await user.type(screen.getByLabelText('After sequence (exclusive)'), '10')
    await user.type(screen.getByLabelText('Before sequence (exclusive)'), '500')
    await user.type(screen.getByLabelText('After time (exclusive)'), '2026-11-27T08:00:00Z')
    await user.type(screen.getByLabelText('Before time (exclusive)'), '2026-11-27T09:00:00.500Z')
    await user.click(screen.getByLabelText('Data contains (JSON)'))
    await user.paste('{"command": "move", "args": [1]}')
    await user.click(screen.getByLabelText('Metadata contains (JSON)'))
    await user.paste('{"user": "ops"}')
    await user.selectOptions(screen.getByLabelText('Order by'), 'timestamp')
    await user.selectOptions(screen.getByLabelText('Direction'), 'desc')
    await user.clear(screen.getByLabelText('Page size'))
    await user.type(screen.getByLabelText('Page size'), '250')
    await user.click(screen.getByLabelText('Include data'))
    await user.click(screen.getByRole('button', { name: 'Run' }))

    expect(onRun).toHaveBeenCalledTimes(1)
    expect(onRun).toHaveBeenCalledWith({
      event_types: ['command_executed', 'command_failed'],
      aggregate_ids: ['robot-1'],
      aggregate_types: ['robot'],
      source_agents: ['agent-1'],
      source_components: ['scheduler'],
      correlation_id: 'corr-7',
      causation_id: 'cause-3',
      after_sequence: 10,
      before_sequence: 500,
      after_timestamp: '2026-11-27T08:00:00.000Z',
      before_timestamp: '2026-11-27T09:00:00.500Z',
      data_contains: { command: 'move', args: [1] },
      metadata_contains: { user: 'ops' },
      order_by: 'timestamp',
      order: 'desc',
      limit: 250,
      include_data: false,
      include_metadata: true,
    } satisfies EventQuery)
  })

  it('removes a token with its own button', async () => {
    const user = userEvent.setup({ delay: null })
    const { onRun } = renderView()
    await user.type(screen.getByLabelText('Event types'), 'a{Enter}b{Enter}')
    await user.click(screen.getByRole('button', { name: 'Remove a from event types' }))
    await user.click(screen.getByRole('button', { name: 'Run' }))
    expect(onRun.mock.calls[0]?.[0].event_types).toEqual(['b'])
  })

  it('shows a JSON parse error inline and disables Run until it is fixed', async () => {
    const user = userEvent.setup({ delay: null })
    const { onRun } = renderView()
    const field = screen.getByLabelText('Data contains (JSON)')
    await user.click(field)
    await user.paste('{"status": ')
    expect(field.getAttribute('aria-invalid')).toBe('true')
    expect(field.getAttribute('aria-describedby')).toBeTruthy()
    const message = document.getElementById(field.getAttribute('aria-describedby') ?? '')
    expect(message?.textContent).toMatch(/^Not valid JSON/)
    expect(screen.getByRole('button', { name: 'Run' })).toHaveProperty('disabled', true)

    await user.clear(field)
    await user.paste('[1, 2]')
    expect(screen.getByText(/Must be a JSON object/)).toBeTruthy()

    await user.clear(field)
    expect(screen.getByRole('button', { name: 'Run' })).toHaveProperty('disabled', false)
    await user.click(screen.getByRole('button', { name: 'Run' }))
    expect(onRun).toHaveBeenCalledTimes(1)
  })

  it('pages forward with the cursor and back through its stack, disabling each end', async () => {
    const user = userEvent.setup({ delay: null })
    const { onRun, rerender } = renderView()
    await user.click(screen.getByRole('button', { name: 'Run' }))
    const firstQuery = onRun.mock.calls[0]?.[0]
    expect(firstQuery?.cursor).toBeUndefined()

    rerender({ result: queryResult() })
    const previous = screen.getByRole('button', { name: '← Previous page' })
    const next = screen.getByRole('button', { name: 'Next page →' })
    expect(previous).toHaveProperty('disabled', true)
    expect(next).toHaveProperty('disabled', false)
    expect(screen.getByRole('status').textContent).toBe('Page 1: events 1–2 of 250')

    await user.click(next)
    expect(onRun).toHaveBeenLastCalledWith({ ...firstQuery, cursor: 'cursor-after-102' })
    rerender({ loading: true, result: queryResult() })
    expect(screen.getByRole('button', { name: 'Next page →' })).toHaveProperty('disabled', true)

    const lastPage = queryResult({
      events: [queriedEvent(201)],
      has_more: false,
      next_cursor: null,
    })
    rerender({ result: lastPage })
    expect(screen.getByRole('button', { name: 'Next page →' })).toHaveProperty('disabled', true)
    expect(screen.getByRole('button', { name: '← Previous page' })).toHaveProperty(
      'disabled',
      false,
    )
    expect(screen.getByRole('status').textContent).toBe('Page 2: events 101–101 of 250')

    await user.click(screen.getByRole('button', { name: '← Previous page' }))
    expect(onRun).toHaveBeenLastCalledWith(firstQuery)
  })

  it('shows the plan, the execution time and the total count', async () => {
    const user = userEvent.setup({ delay: null })
    const { rerender } = renderView()
    await user.click(screen.getByRole('button', { name: 'Run' }))
    rerender({ result: queryResult() })
    const summary = screen.getByText(/matching/)
    expect(summary.textContent).toBe(
      '250 matching · 12.5 ms · read 1 of 3 segments · 4,321 events scanned',
    )
    expect(screen.getByText('event_type, correlation_id')).toBeTruthy()
    expect(screen.getByText(': sequence range', { exact: false })).toBeTruthy()
  })

  it('opens the event of the clicked row', async () => {
    const user = userEvent.setup({ delay: null })
    const { onSelectEvent, rerender } = renderView()
    await user.click(screen.getByRole('button', { name: 'Run' }))
    rerender({ result: queryResult() })
    const table = screen.getByRole('table')
    expect(
      within(table)
        .getAllByRole('columnheader')
        .map((th) => th.textContent),
    ).toEqual(['Sequence', 'Time (UTC)', 'Type', 'Aggregate', 'Source', 'Correlation'])
    await user.click(within(table).getAllByRole<HTMLTableRowElement>('row')[2]!.cells[2]!)
    await user.click(screen.getByRole('button', { name: 'Open event 101' }))
    expect(onSelectEvent.mock.calls).toEqual([[102], [101]])
  })

  it('prefills from initialFilter and runs it once per distinct filter', () => {
    const filter = { correlation_id: 'corr-7' }
    const { onRun, rerender } = renderView({ initialFilter: filter })
    expect(screen.getByLabelText<HTMLInputElement>('Correlation id').value).toBe('corr-7')
    expect(onRun).toHaveBeenCalledTimes(1)
    expect(onRun.mock.calls[0]?.[0]).toMatchObject({ correlation_id: 'corr-7', limit: 100 })

    rerender({ initialFilter: { correlation_id: 'corr-7' } })
    expect(onRun).toHaveBeenCalledTimes(1)
    rerender({ initialFilter: { causation_id: 'cause-9' } })
    expect(onRun).toHaveBeenCalledTimes(2)
    expect(screen.getByLabelText<HTMLInputElement>('Causation id').value).toBe('cause-9')
  })

  it('downloads the current page as NDJSON and CSV', async () => {
    const user = userEvent.setup({ delay: null })
    const created: Blob[] = []
    const createObjectURL = vi.fn((blob: Blob) => {
      created.push(blob)
      return 'blob:test'
    })
    // jsdom has no object URLs; give it these two for this test only.
    Object.assign(URL, { createObjectURL, revokeObjectURL: vi.fn() })
    const click = vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(() => {})
    const { rerender } = renderView()
    await user.click(screen.getByRole('button', { name: 'Run' }))
    rerender({ result: queryResult() })
    await user.click(screen.getByRole('button', { name: 'Export NDJSON' }))
    await user.click(screen.getByRole('button', { name: 'Export CSV' }))
    expect(click).toHaveBeenCalledTimes(2)
    expect(created.map((blob) => blob.type)).toEqual(['application/x-ndjson', 'text/csv'])
    expect((await created[0]!.text()).split('\n')).toHaveLength(3)
    click.mockRestore()
    Reflect.deleteProperty(URL, 'createObjectURL')
    Reflect.deleteProperty(URL, 'revokeObjectURL')
  })
})
