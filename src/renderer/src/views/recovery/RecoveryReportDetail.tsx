import type { RecoveryActionKind, RecoveryReport } from '../../../../shared/report'
import { FileName } from '../common/FileName'
import { StatusBadge } from '../common/StatusBadge'
import { formatBytes, formatCount, formatDurationMs, formatTime, UNKNOWN } from '../common/format'

/** What each action did, in the words the confirmation dialog uses. */
const ACTION_LABELS: Record<RecoveryActionKind, string> = {
  truncated: 'Cut torn tail',
  quarantined: 'Quarantined',
  index_rebuilt: 'Rebuilt index',
  removed_temp: 'Removed temporary file',
  resealed: 'Resealed',
  manifest_rebuilt: 'Rebuilt manifest',
  salvaged: 'Salvaged',
}

export interface RecoveryReportDetailProps {
  title: string
  report: RecoveryReport
}

/** RecoveryReportDetail shows every action of one recovery and the damage it left. */
export function RecoveryReportDetail({ title, report }: RecoveryReportDetailProps) {
  const duration = Date.parse(report.finished_at) - Date.parse(report.started_at)
  return (
    <article className="recovery-report" aria-label={title}>
      <h3>{title}</h3>
      <p>
        {report.ok ? (
          <StatusBadge tone="ok" label="Recovered" />
        ) : (
          <StatusBadge tone="bad" label="Damage remains" />
        )}{' '}
        Started {formatTime(report.started_at)}, took {formatDurationMs(duration)}; store mode
        afterwards: {report.mode.replace('_', ' ')}.
      </p>
      {report.actions.length === 0 ? (
        <p className="muted">No actions were needed.</p>
      ) : (
        <table className="data-table">
          <caption className="visually-hidden">Actions</caption>
          <thead>
            <tr>
              <th scope="col">Action</th>
              <th scope="col">File</th>
              <th scope="col" className="num">
                Offset
              </th>
              <th scope="col" className="num">
                Bytes
              </th>
              <th scope="col">Reason</th>
              <th scope="col">Saved as</th>
            </tr>
          </thead>
          <tbody>
            {report.actions.map((action, index) => (
              // Two actions may share kind and file, so the position is part of the key.
              <tr key={`${index}:${action.kind}:${action.file}`}>
                {/* A newer host may report a kind this build has no words for. */}
                <td>{ACTION_LABELS[action.kind] ?? action.kind}</td>
                <td>
                  <FileName name={action.file} />
                </td>
                <td className="num">{formatCount(action.offset)}</td>
                <td className="num">{formatBytes(action.bytes)}</td>
                <td>{action.reason}</td>
                <td className="file-name file-name--clipped" title={action.saved_as ?? undefined}>
                  {action.saved_as ?? UNKNOWN}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h4>Remaining problems</h4>
      {report.problems.length === 0 ? (
        <p className="muted">No damage remains.</p>
      ) : (
        <ul aria-label="Remaining problems">
          {report.problems.map((problem) => (
            <li key={`${problem.file}:${problem.offset}:${problem.reason}`}>
              <span className="mono">{problem.file}</span>
              {problem.offset !== null && <> at byte offset {formatCount(problem.offset)}</>}:{' '}
              {problem.reason}
            </li>
          ))}
        </ul>
      )}
    </article>
  )
}
