import { describe, expect, it } from 'vitest'
import { bytesToFree, diskUsage } from '../../../../src/main/engine/sla/diskSpace'

describe('diskUsage', () => {
  it('is used / (used + available) as df computes it, not counting root-reserved blocks', () => {
    // 1000 blocks, 100 free of which 50 are reserved for root: used 900, available 50.
    expect(diskUsage({ total_bytes: 1000, free_bytes: 100, available_bytes: 50 })).toBeCloseTo(
      900 / 950,
    )
  })

  it('is 0 for a filesystem that reports no blocks', () => {
    expect(diskUsage({ total_bytes: 0, free_bytes: 0, available_bytes: 0 })).toBe(0)
  })
})

describe('bytesToFree', () => {
  it.each([
    [{ total_bytes: 1000, free_bytes: 40, available_bytes: 40 }, 0.9, 61],
    [{ total_bytes: 1000, free_bytes: 100, available_bytes: 50 }, 0.9, 46],
    [{ total_bytes: 1000, free_bytes: 500, available_bytes: 500 }, 0.9, 0],
  ])('for %j below %s is %s bytes, the fewest that get there', (space, ratio, expected) => {
    const needed = bytesToFree(space, ratio)
    const freed = (bytes: number) => ({
      total_bytes: space.total_bytes,
      free_bytes: space.free_bytes + bytes,
      available_bytes: space.available_bytes + bytes,
    })

    expect(needed).toBe(expected)
    expect(diskUsage(freed(needed))).toBeLessThan(ratio)
    if (needed > 0) expect(diskUsage(freed(needed - 1))).toBeGreaterThanOrEqual(ratio)
  })
})
