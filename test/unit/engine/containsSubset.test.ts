import { describe, expect, it } from 'vitest'
import { containsSubset } from '../../../src/main/engine/containsSubset'

describe('containsSubset', () => {
  const value = {
    status: 'ok',
    count: 3,
    flags: null,
    tags: ['a', 'b', { k: 1, j: 2 }],
    nested: { deep: { x: 1, y: [1, 2, 3] } },
  }

  it.each([
    [{}, true],
    [{ status: 'ok' }, true],
    [{ status: 'failed' }, false],
    [{ count: 3, status: 'ok' }, true],
    [{ count: '3' }, false],
    [{ flags: null }, true],
    [{ missing: null }, false],
    [{ tags: ['b'] }, true],
    [{ tags: ['b', 'a'] }, true],
    [{ tags: ['c'] }, false],
    [{ tags: [{ k: 1 }] }, true],
    [{ tags: [{ k: 2 }] }, false],
    [{ tags: 'a' }, false],
    [{ nested: { deep: { y: [3] } } }, true],
    [{ nested: { deep: { y: [4] } } }, false],
    [{ nested: { deep: {} } }, true],
    [{ nested: [] }, false],
  ])('matches %j: %s', (filter, expected) => {
    expect(containsSubset(value, filter)).toBe(expected)
  })

  it('never reads inherited properties', () => {
    expect(containsSubset({}, { toString: 'function' })).toBe(false)
    expect(containsSubset(Object.create({ inherited: 1 }) as object, { inherited: 1 })).toBe(false)
  })
})
