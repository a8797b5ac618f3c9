import type { RecoveryReportEntry } from '../../../../shared/storeApi'
import { StatusBadge } from '../common/StatusBadge'
import { formatCount, formatDurationMs, formatTime } from '../common/format'

export interface RecoveryReportListProps {
  reports: readonly RecoveryReportEntry[]
  selectedId: string | null
  onSelect: (id: string) => void
}

/** RecoveryReportList shows every recovery, newest first as the host lists them. */
export function RecoveryReportList({ reports, selectedId, onSelect }: RecoveryReportListProps) {
  if (reports.length === 0) {
    return <p className="muted">No recovery has run on this store.</p>
  }
  return (
    <table className="data-table">
      <caption className="visually-hidden">Recovery reports</caption>
      <thead>
        <tr>
          <th scope="col">When (UTC)</th>
          <th scope="col">Trigger</th>
          <th scope="col">Result</th>
          <th scope="col" className="num">
            Actions
          </th>
          <th scope="col" className="num">
            Problems left
          </th>
          <th scope="col" className="num">
            Took
          </th>
        </tr>
      </thead>
      <tbody>
        {reports.map((entry) => (
          <tr key={entry.id} className={entry.id === selectedId ? 'is-selected' : undefined}>
            <td>
              <button
                type="button"
                className="link-button"
                aria-pressed={entry.id === selectedId}
                onClick={() => onSelect(entry.id)}
              >
                {formatTime(entry.started_at)}
              </button>
            </td>
            <td>{entry.trigger === 'open' ? 'At open' : 'Manual'}</td>
            <td>
              {entry.ok ? (
                <StatusBadge tone="ok" label="Recovered" />
              ) : (
                <StatusBadge tone="bad" label="Damage remains" />
              )}
            </td>
            <td className="num">{formatCount(entry.actions)}</td>
            <td className="num">{formatCount(entry.problems)}</td>
            <td className="num">
              {formatDurationMs(Date.parse(entry.finished_at) - Date.parse(entry.started_at))}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  )
}
