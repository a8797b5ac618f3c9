/**
 * The Live table's arithmetic. Every row is ROW_HEIGHT_PX tall, so which rows are drawn and
 * where the scroller stands follow from the row count, the viewport's height and one scroll
 * position: nothing is measured, and a batch of new rows costs one render, never a layout
 * read followed by a second render.
 */
import { indexOfSequence } from './indexOfSequence'

/** Every row of the Live table has this height. */
export const ROW_HEIGHT_PX = 28
/** Rows drawn beyond the visible ones on each side, so fast scrolling shows no blank rows. */
export const OVERSCAN_ROWS = 6

/** RowWindow is the rows drawn: indexes start (inclusive) to end (exclusive). */
export interface RowWindow {
  start: number
  end: number
  /**
   * How many distinct row keys a window of this viewport can need. A row's key is its index
   * modulo `slots`, so a row that stays on screen keeps its element and a row that scrolls
   * in reuses one that scrolled out, instead of the page building a new one.
   */
  slots: number
}

/** ScrollAnchor pins where a person scrolled to: the top row, by sequence, and how far into it. */
export interface ScrollAnchor {
  sequence: number
  offsetPx: number
}

/** newestTopPx is the scroll position that shows the newest row at the bottom. */
export function newestTopPx(count: number, viewportPx: number): number {
  return Math.max(0, count * ROW_HEIGHT_PX - viewportPx)
}

/** rowWindow is the rows to draw at scroll position `topPx`. */
export function rowWindow(count: number, topPx: number, viewportPx: number): RowWindow {
  const first = Math.floor(topPx / ROW_HEIGHT_PX)
  const last = Math.ceil((topPx + viewportPx) / ROW_HEIGHT_PX)
  return {
    start: Math.max(0, first - OVERSCAN_ROWS),
    end: Math.min(count, last + OVERSCAN_ROWS),
    // At most ceil(viewport / row) + 1 rows are partly visible, wherever the top falls.
    slots: Math.ceil(viewportPx / ROW_HEIGHT_PX) + 1 + 2 * OVERSCAN_ROWS,
  }
}

/** anchorAt names the row at scroll position `topPx`, or null when there are no rows. */
export function anchorAt(
  rows: readonly { sequence: number }[],
  topPx: number,
): ScrollAnchor | null {
  const index = Math.min(Math.floor(topPx / ROW_HEIGHT_PX), rows.length - 1)
  const row = rows[index]
  if (row === undefined) return null
  return { sequence: row.sequence, offsetPx: topPx - index * ROW_HEIGHT_PX }
}

/**
 * anchoredTopPx is the scroll position that keeps the anchor's row where it was, however
 * many older rows left the bounded buffer above it; 0 (the oldest row kept) once the
 * anchor's own row has left too.
 */
export function anchoredTopPx(rows: readonly { sequence: number }[], anchor: ScrollAnchor): number {
  const index = indexOfSequence(rows, anchor.sequence)
  return index === -1 ? 0 : index * ROW_HEIGHT_PX + anchor.offsetPx
}
