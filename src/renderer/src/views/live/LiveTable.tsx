import { useLayoutEffect, useRef } from 'react'
import { useVirtualizer } from '@tanstack/react-virtual'
import type { StoredEvent } from '../../../../shared/event'
import { formatBytes, formatTime } from '../common/format'
import { eventPreview } from './eventPreview'
import { indexOfSequence } from './indexOfSequence'

/** Every row has this height, so the virtualizer never measures. */
export const ROW_HEIGHT_PX = 28
/** Rows rendered beyond the visible ones, so fast scrolling shows no blank rows. */
const OVERSCAN_ROWS = 12

export interface LiveTableProps {
  rows: StoredEvent[]
  selectedSequence: number | null
  following: boolean
  onFollowingChange: (following: boolean) => void
  onSelect: (event: StoredEvent) => void
}

/**
 * LiveTable is the virtualized list of live events. While following it sticks to the
 * newest row; scrolled away, it keeps the rows in view still even as older rows leave
 * the bounded buffer above them.
 */
export function LiveTable({
  rows,
  selectedSequence,
  following,
  onFollowingChange,
  onSelect,
}: LiveTableProps) {
  const scroller = useRef<HTMLDivElement>(null)
  const previousRows = useRef(rows)
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT_PX,
    overscan: OVERSCAN_ROWS,
    getItemKey: (index) => rows[index]?.sequence ?? index,
  })

  useLayoutEffect(() => {
    const element = scroller.current
    const before = previousRows.current
    previousRows.current = rows
    if (element === null) return
    if (following) {
      element.scrollTop = element.scrollHeight
      return
    }
    // Rows dropped from the front shift everything up; scroll up as much to stay put.
    const lastBefore = before.at(-1)
    const index = lastBefore === undefined ? -1 : indexOfSequence(rows, lastBefore.sequence)
    const dropped = index === -1 ? 0 : before.length - 1 - index
    if (dropped > 0) element.scrollTop -= dropped * ROW_HEIGHT_PX
  }, [rows, following])

  const onScroll = () => {
    const element = scroller.current
    if (element === null) return
    const distance = element.scrollHeight - element.scrollTop - element.clientHeight
    const atNewest = distance <= ROW_HEIGHT_PX
    if (atNewest !== following) onFollowingChange(atNewest)
  }

  return (
    <div
      className="live-table"
      role="table"
      aria-label="Live events"
      aria-rowcount={rows.length + 1}
    >
      <div role="rowgroup">
        <div role="row" className="live-row live-row--head" aria-rowindex={1}>
          {['Sequence', 'Time', 'Type', 'Aggregate', 'Source', 'Size', 'Data'].map((name) => (
            <span key={name} role="columnheader">
              {name}
            </span>
          ))}
        </div>
      </div>
      <div ref={scroller} className="live-table__scroller" role="rowgroup" onScroll={onScroll}>
        <div className="live-table__spacer" style={{ height: virtualizer.getTotalSize() }}>
          {virtualizer.getVirtualItems().map((item) => {
            const event = rows[item.index]
            if (event === undefined) return null
            return (
              <LiveRow
                key={item.key}
                event={event}
                rowIndex={item.index + 2}
                top={item.start}
                selected={event.sequence === selectedSequence}
                onSelect={onSelect}
              />
            )
          })}
        </div>
      </div>
    </div>
  )
}

interface LiveRowProps {
  event: StoredEvent
  rowIndex: number
  top: number
  selected: boolean
  onSelect: (event: StoredEvent) => void
}

function LiveRow({ event, rowIndex, top, selected, onSelect }: LiveRowProps) {
  const { bytes, preview } = eventPreview(event)
  return (
    <div
      role="row"
      tabIndex={0}
      aria-rowindex={rowIndex}
      aria-selected={selected}
      className={selected ? 'live-row live-row--selected' : 'live-row'}
      style={{ transform: `translateY(${top}px)` }}
      onClick={() => onSelect(event)}
      onKeyDown={(key) => {
        if (key.key === 'Enter') onSelect(event)
      }}
    >
      <span role="cell" className="num">
        {event.sequence}
      </span>
      <span role="cell" title={event.timestamp}>
        {formatTime(event.timestamp).slice(11)}
      </span>
      <span role="cell">{event.event_type}</span>
      <span role="cell" title={`${event.aggregate_type} ${event.aggregate_id}`}>
        {event.aggregate_id}
      </span>
      <span role="cell">{event.source_agent ?? event.source_component}</span>
      <span role="cell" className="num">
        {formatBytes(bytes)}
      </span>
      <span role="cell" className="mono muted">
        {preview}
      </span>
    </div>
  )
}
