import { describe, expect, it } from 'vitest'
import {
  OVERSCAN_ROWS,
  ROW_HEIGHT_PX,
  anchorAt,
  anchoredTopPx,
  newestTopPx,
  rowWindow,
} from '../../../../src/renderer/src/views/live/rowWindow'

const rows = (first: number, last: number) =>
  Array.from({ length: last - first + 1 }, (_, index) => ({ sequence: first + index }))

describe('rowWindow', () => {
  it('draws the visible rows and OVERSCAN_ROWS on each side, clipped to the rows there are', () => {
    const viewportPx = 10 * ROW_HEIGHT_PX
    expect(rowWindow(1000, 100 * ROW_HEIGHT_PX, viewportPx)).toMatchObject({
      start: 100 - OVERSCAN_ROWS,
      end: 110 + OVERSCAN_ROWS,
    })
    expect(rowWindow(1000, 0, viewportPx)).toMatchObject({ start: 0, end: 10 + OVERSCAN_ROWS })
    expect(rowWindow(5, 0, viewportPx)).toMatchObject({ start: 0, end: 5 })
  })

  it('never needs more keys than its slots, wherever the top falls', () => {
    for (const viewportPx of [0, 1, 27, 28, 29, 500, 513]) {
      for (let topPx = 0; topPx < 3 * ROW_HEIGHT_PX; topPx += 1) {
        const { start, end, slots } = rowWindow(10_000, topPx, viewportPx)
        expect(end - start, `viewport ${viewportPx}, top ${topPx}`).toBeLessThanOrEqual(slots)
      }
    }
  })

  it('stands at the newest row when following, and at the top while the rows fit', () => {
    expect(newestTopPx(100, 10 * ROW_HEIGHT_PX)).toBe(90 * ROW_HEIGHT_PX)
    expect(newestTopPx(3, 10 * ROW_HEIGHT_PX)).toBe(0)
  })
})

describe('scroll anchors', () => {
  it('keep the row a person scrolled to in place as older rows leave the buffer', () => {
    const anchor = anchorAt(rows(1, 100), 40 * ROW_HEIGHT_PX + 5)
    expect(anchor).toEqual({ sequence: 41, offsetPx: 5 })
    // Ten rows dropped from the front: the same row is now ten rows higher.
    expect(anchoredTopPx(rows(11, 110), anchor!)).toBe(30 * ROW_HEIGHT_PX + 5)
  })

  it('fall back to the oldest row kept once the anchored row has left too', () => {
    const anchor = anchorAt(rows(1, 100), 40 * ROW_HEIGHT_PX)!
    expect(anchoredTopPx(rows(60, 160), anchor)).toBe(0)
  })

  it('find rows of a filtered stream, whose sequences have gaps', () => {
    const filtered = [3, 8, 9, 20, 31].map((sequence) => ({ sequence }))
    const anchor = anchorAt(filtered, 3 * ROW_HEIGHT_PX)
    expect(anchor).toEqual({ sequence: 20, offsetPx: 0 })
    expect(anchoredTopPx(filtered.slice(2), anchor!)).toBe(ROW_HEIGHT_PX)
  })

  it('name no row when there are none', () => {
    expect(anchorAt([], 0)).toBeNull()
  })
})
