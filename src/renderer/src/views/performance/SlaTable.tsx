import type { SlaCompliance } from '../../../../shared/sla'
import { StatusBadge } from '../common/StatusBadge'
import { formatLatencyMs } from '../common/format'

export interface SlaTableProps {
  compliance: readonly SlaCompliance[]
}

const PERCENTILE_NAMES: Record<SlaCompliance['percentile'], string> = {
  p50: 'p50',
  p95: 'p95',
  p99: 'p99',
  p999: 'p99.9',
}

/** SlaTable lists each latency SLA with its target, what was observed and whether it holds. */
export function SlaTable({ compliance }: SlaTableProps) {
  return (
    <table className="data-table sla-table">
      <caption>Latency SLAs</caption>
      <thead>
        <tr>
          <th scope="col">SLA</th>
          <th scope="col" className="num">
            Target
          </th>
          <th scope="col" className="num">
            Observed
          </th>
          <th scope="col">Status</th>
        </tr>
      </thead>
      <tbody>
        {compliance.map((row) => (
          <tr key={row.id}>
            <th scope="row">
              {row.series.replaceAll('_', ' ')} {PERCENTILE_NAMES[row.percentile]}{' '}
              <span className="muted">({row.window})</span>
            </th>
            <td className="num">≤ {formatLatencyMs(row.threshold_ms)}</td>
            <td className="num">{formatLatencyMs(row.observed_ms)}</td>
            <td>
              {row.ok === null ? (
                <StatusBadge tone="neutral" label="No data" />
              ) : row.ok ? (
                <StatusBadge tone="ok" label="Met" />
              ) : (
                <StatusBadge tone="bad" label="Violated" />
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  )
}
