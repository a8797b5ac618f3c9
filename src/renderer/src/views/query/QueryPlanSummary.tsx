import type { QueryResult } from '../../../../shared/query'
import { formatCount, formatDurationMs } from '../common/format'

export interface QueryPlanSummaryProps {
  result: Pick<QueryResult, 'plan' | 'execution_time_ms' | 'total_count'>
}

/** QueryPlanSummary says how the store answered: time, segments read and skipped, indexes. */
export function QueryPlanSummary({ result }: QueryPlanSummaryProps) {
  const { plan } = result
  return (
    <details className="query-plan">
      <summary>
        {formatCount(result.total_count)} matching · {formatDurationMs(result.execution_time_ms)} ·
        read {plan.segments_read} of {plan.segments_total} segments ·{' '}
        {formatCount(plan.events_scanned)} events scanned
      </summary>
      <dl className="query-plan__facts">
        <dt>Indexes used</dt>
        <dd>{plan.index_used.length > 0 ? plan.index_used.join(', ') : 'none (full scan)'}</dd>
        <dt>Segments skipped</dt>
        <dd>
          {plan.segments_skipped.length === 0 ? (
            'none'
          ) : (
            <ul>
              {plan.segments_skipped.map((skipped) => (
                <li key={skipped.name}>
                  <span className="mono">{skipped.name}</span>: {skipped.reason}
                </li>
              ))}
            </ul>
          )}
        </dd>
      </dl>
    </details>
  )
}
