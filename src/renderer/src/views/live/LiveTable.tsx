import { memo, useLayoutEffect, useRef, useState } from 'react'
import type { ReactNode } from 'react'
import type { StoredEvent } from '../../../../shared/event'
import { formatBytes, formatTime } from '../common/format'
import { eventPreview } from './eventPreview'
import { ROW_HEIGHT_PX, anchorAt, anchoredTopPx, newestTopPx, rowWindow } from './rowWindow'
import type { ScrollAnchor } from './rowWindow'
import { useElementHeight } from './useElementHeight'

export interface LiveTableProps {
  rows: StoredEvent[]
  selectedSequence: number | null
  following: boolean
  onFollowingChange: (following: boolean) => void
  onSelect: (event: StoredEvent) => void
}

const COLUMNS = ['Sequence', 'Time', 'Type', 'Aggregate', 'Source', 'Size', 'Data']

/**
 * LiveTable is the virtualized list of live events. While following it sticks to the
 * newest row; scrolled away, it keeps the rows in view still even as older rows leave
 * the bounded buffer above them. Where it stands is computed (rowWindow.ts), never read
 * back from the page, so a push of new rows is one render and one layout.
 */
export function LiveTable({
  rows,
  selectedSequence,
  following,
  onFollowingChange,
  onSelect,
}: LiveTableProps) {
  const scroller = useRef<HTMLDivElement>(null)
  const viewportPx = useElementHeight(scroller)
  const [anchor, setAnchor] = useState<ScrollAnchor | null>(null)
  // The scroller's scrollTop as last written or reported; reading it would force a layout.
  const elementTopPx = useRef(0)
  const topPx =
    following || anchor === null
      ? newestTopPx(rows.length, viewportPx)
      : anchoredTopPx(rows, anchor)
  const { start, end, slots } = rowWindow(rows.length, topPx, viewportPx)

  useLayoutEffect(() => {
    const element = scroller.current
    if (element === null || elementTopPx.current === topPx) return
    element.scrollTop = topPx
    elementTopPx.current = topPx
  }, [topPx])

  const onScroll = () => {
    const element = scroller.current
    if (element === null) return
    const scrolledPx = element.scrollTop
    elementTopPx.current = scrolledPx
    const atNewest = newestTopPx(rows.length, viewportPx) - scrolledPx <= ROW_HEIGHT_PX
    if (atNewest !== following) onFollowingChange(atNewest)
    if (atNewest) return
    const next = anchorAt(rows, scrolledPx)
    setAnchor((current) =>
      current !== null &&
      next !== null &&
      current.sequence === next.sequence &&
      current.offsetPx === next.offsetPx
        ? current
        : next,
    )
  }

  const drawn: ReactNode[] = []
  for (let index = start; index < end; index += 1) {
    const event = rows[index]!
    drawn.push(
      <LiveRow
        key={index % slots}
        event={event}
        rowIndex={index + 2}
        topPx={index * ROW_HEIGHT_PX}
        selected={event.sequence === selectedSequence}
        onSelect={onSelect}
      />,
    )
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
          {COLUMNS.map((name) => (
            <span key={name} role="columnheader">
              {name}
            </span>
          ))}
        </div>
      </div>
      <div ref={scroller} className="live-table__scroller" role="rowgroup" onScroll={onScroll}>
        <div className="live-table__spacer" style={{ height: rows.length * ROW_HEIGHT_PX }}>
          {drawn}
        </div>
      </div>
    </div>
  )
}

interface LiveRowProps {
  event: StoredEvent
  rowIndex: number
  topPx: number
  selected: boolean
  onSelect: (event: StoredEvent) => void
}

/** LiveRow is one event; memo skips the rows a scroll or a push leaves unchanged. */
const LiveRow = memo(function LiveRow({
  event,
  rowIndex,
  topPx,
  selected,
  onSelect,
}: LiveRowProps) {
  const { bytes, preview } = eventPreview(event)
  return (
    <div
      role="row"
      tabIndex={0}
      aria-rowindex={rowIndex}
      aria-selected={selected}
      className={selected ? 'live-row live-row--selected' : 'live-row'}
      style={{ transform: `translateY(${topPx}px)` }}
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
})
