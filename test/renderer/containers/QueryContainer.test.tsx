// @vitest-environment jsdom
import { act, cleanup, screen } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { afterEach, describe, expect, it } from 'vitest'
import type { QueryResult } from '../../../src/shared/query'
import type { Result } from '../../../src/shared/storeApi'
import { QueryContainer } from '../../../src/renderer/src/containers/QueryContainer'
import { createFakeApi, fail, HANDLE, ok } from '../support/fakeApi'
import { deferred, renderShownStore, settle } from '../support/renderInspector'
import { queriedEvent, queryResult } from '../views/fixtures'

afterEach(cleanup)

const FIRST_PAGE = queryResult({
  events: [queriedEvent(1), queriedEvent(2)],
  total_count: 3,
  has_more: true,
  next_cursor: 'cursor-after-2',
})
const LAST_PAGE = queryResult({
  events: [queriedEvent(3)],
  total_count: 3,
  has_more: false,
  next_cursor: null,
})

async function renderQuery() {
  const fake = createFakeApi()
  fake.answer('query', async ({ query }) => ok(query.cursor === undefined ? FIRST_PAGE : LAST_PAGE))
  const rendered = await renderShownStore(<QueryContainer />, { fake })
  return { ...rendered, user: userEvent.setup({ delay: null }) }
}

const pagePosition = () =>
  screen.getByRole('navigation', { name: 'Result pages' }).querySelector('[role="status"]')
    ?.textContent

describe('QueryContainer', () => {
  it('runs the query on the shown store and pages with the cursor it answered', async () => {
    const { fake, user } = await renderQuery()
    await user.type(screen.getByLabelText('Event types'), 'command_executed{Enter}')
    await user.click(screen.getByRole('button', { name: 'Run' }))
    await settle()
    const [first] = fake.callsOf('query') as { handle: string; query: Record<string, unknown> }[]
    expect(first?.handle).toBe(HANDLE)
    expect(first?.query).toMatchObject({ event_types: ['command_executed'] })
    expect(first?.query).not.toHaveProperty('cursor')
    expect(pagePosition()).toBe('Page 1: events 1–2 of 3')

    await user.click(screen.getByRole('button', { name: 'Next page →' }))
    await settle()
    expect(fake.callsOf('query')[1]).toEqual({
      handle: HANDLE,
      query: { ...first!.query, cursor: 'cursor-after-2' },
    })
    expect(pagePosition()).toMatch(/^Page 2: events \S+ of 3$/)
    expect(screen.getByRole('button', { name: 'Next page →' })).toHaveProperty('disabled', true)

    await user.click(screen.getByRole('button', { name: '← Previous page' }))
    await settle()
    expect(fake.callsOf('query')[2]).toEqual({ handle: HANDLE, query: first!.query })
  })

  it('shows only the newest answer when an earlier query answers late', async () => {
    const { fake, user, inspector } = await renderQuery()
    const slow = deferred<Result<QueryResult>>()
    fake.answer('query', () => slow.promise)
    await user.click(screen.getByRole('button', { name: 'Run' }))
    // A correlation link clicked while the first query is out runs the chain at once.
    fake.answer('query', async () => ok(LAST_PAGE))
    act(() => inspector.queryFor({ correlation_id: 'corr-7' }))
    await settle()
    await act(async () => slow.resolve(ok(FIRST_PAGE)))
    expect(pagePosition()).toBe('Page 1: events 1–1 of 3')
    expect(screen.getByRole('button', { name: 'Open event 3' })).toBeTruthy()
  })

  it('says why a query failed', async () => {
    const { fake, user } = await renderQuery()
    fake.answer('query', async () => fail('validation', 'limit must be at most 10000.'))
    await user.click(screen.getByRole('button', { name: 'Run' }))
    await settle()
    expect(screen.getByRole('alert').textContent).toBe('limit must be at most 10000.')
  })

  it('opens a picked result in the event detail', async () => {
    const { fake, user } = await renderQuery()
    await user.click(screen.getByRole('button', { name: 'Run' }))
    await settle()
    await user.click(screen.getByRole('button', { name: 'Open event 2' }))
    await settle()
    expect(fake.callsOf('getEvent')).toEqual([{ handle: HANDLE, sequence: 2 }])
    expect(screen.getByRole('heading', { name: /Event 2/ })).toBeTruthy()
  })

  it('runs the chain it was opened for, e.g. a correlation id', async () => {
    const fake = createFakeApi()
    fake.answer('query', async () => ok(FIRST_PAGE))
    const rendered = await renderShownStore(<QueryContainer />, { fake })
    act(() => rendered.inspector.queryFor({ correlation_id: 'corr-1' }))
    await settle()
    expect(fake.callsOf('query')).toHaveLength(1)
    expect((fake.callsOf('query')[0] as { query: unknown }).query).toMatchObject({
      correlation_id: 'corr-1',
    })
    expect(screen.getByLabelText('Correlation id')).toHaveProperty('value', 'corr-1')
  })
})
