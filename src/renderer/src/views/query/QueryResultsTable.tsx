import type { QueriedEvent } from '../../../../shared/query'
import { formatCount, formatTime } from '../common/format'

export interface QueryResultsTableProps {
  events: readonly QueriedEvent[]
  onSelectEvent: (sequence: number) => void
}

/**
 * QueryResultsTable lists one page of matches. The whole row is a mouse target; the
 * sequence cell holds a button so the keyboard reaches every row too (its click bubbles to
 * the row, so the handler lives in one place).
 */
export function QueryResultsTable({ events, onSelectEvent }: QueryResultsTableProps) {
  if (events.length === 0) return <p className="muted">No events match this query.</p>
  return (
    <table className="data-table query-results">
      <caption className="visually-hidden">Matching events</caption>
      <thead>
        <tr>
          <th scope="col" className="num">
            Sequence
          </th>
          <th scope="col">Time (UTC)</th>
          <th scope="col">Type</th>
          <th scope="col">Aggregate</th>
          <th scope="col">Source</th>
          <th scope="col">Correlation</th>
        </tr>
      </thead>
      <tbody>
        {events.map((event) => (
          <tr
            key={event.sequence}
            className="query-results__row"
            onClick={() => onSelectEvent(event.sequence)}
          >
            <td className="num">
              <button
                type="button"
                className="link-button"
                aria-label={`Open event ${event.sequence}`}
              >
                {formatCount(event.sequence)}
              </button>
            </td>
            <td className="mono">{formatTime(event.timestamp)}</td>
            <td>{event.event_type}</td>
            <td>
              <span className="muted">{event.aggregate_type}</span>{' '}
              <span className="mono">{event.aggregate_id}</span>
            </td>
            <td>
              {event.source_agent ?? <span className="muted">no agent</span>}
              <span className="muted"> · {event.source_component}</span>
            </td>
            <td className="mono">{event.correlation_id ?? ''}</td>
          </tr>
        ))}
      </tbody>
    </table>
  )
}
