// @vitest-environment jsdom
import { describe, expect, it } from 'vitest'
import type { EventQuery } from '../../../../src/shared/query'
import {
  buildQuery,
  formFromFilter,
  type QueryForm,
} from '../../../../src/renderer/src/views/query/queryForm'

const form = (changes: Partial<QueryForm>): QueryForm => ({ ...formFromFilter(), ...changes })

describe('buildQuery', () => {
  it('leaves blank fields out and states the result options explicitly', () => {
    expect(buildQuery(formFromFilter())).toEqual({
      query: {
        limit: 100,
        order_by: 'sequence',
        order: 'asc',
        include_data: true,
        include_metadata: true,
      },
      errors: {},
    })
  })

  it.each([
    ['a non-numeric sequence', { after_sequence: '1e3' }, 'after_sequence'],
    ['a negative sequence', { before_sequence: '-4' }, 'before_sequence'],
    [
      'exclusive bounds with nothing between',
      { after_sequence: '5', before_sequence: '6' },
      'before_sequence',
    ],
    ['a time that is not a date', { after_timestamp: 'yesterday' }, 'after_timestamp'],
    [
      'a time range that ends before it starts',
      { after_timestamp: '2026-11-27T10:00:00Z', before_timestamp: '2026-11-27T09:00:00Z' },
      'before_timestamp',
    ],
    ['a limit of zero', { limit: '0' }, 'limit'],
    ['a limit over 10,000', { limit: '10001' }, 'limit'],
    ['a JSON string instead of an object', { metadata_contains: '"ops"' }, 'metadata_contains'],
  ] as const)('refuses %s', (_claim, changes, field) => {
    const { errors } = buildQuery(form(changes))
    expect(Object.keys(errors)).toEqual([field])
  })

  it('accepts adjacent-but-one sequence bounds and the limit bounds', () => {
    expect(
      buildQuery(form({ after_sequence: '5', before_sequence: '7', limit: '10000' })).errors,
    ).toEqual({})
    expect(buildQuery(form({ limit: '1' })).errors).toEqual({})
  })

  it('round-trips a filter through the form', () => {
    const filter: EventQuery = {
      event_types: ['shadow_updated'],
      after_sequence: 3,
      after_timestamp: '2026-11-27T08:00:00.000Z',
      data_contains: { nested: { ok: true } },
      order: 'desc',
      limit: 20,
    }
    expect(buildQuery(formFromFilter(filter)).query).toEqual({
      ...filter,
      order_by: 'sequence',
      include_data: true,
      include_metadata: true,
    })
  })
})
