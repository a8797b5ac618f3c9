import { Fragment } from 'react'
import { FileName } from '../common/FileName'
import { ProgressBar } from '../common/ProgressBar'
import { StatusBadge } from '../common/StatusBadge'
import { formatBytes, formatCount, formatRange, formatTime, UNKNOWN } from '../common/format'
import { checksumBadge } from './checksumBadge'
import type { FileRow } from './fileRows'

export interface SegmentTableProps {
  rows: readonly FileRow[]
  /** False while a verification runs: one job at a time. */
  canVerify: boolean
  onVerifyFile: (name: string) => void
}

const COLUMN_COUNT = 9

/** SegmentTable lists every segment file with its checksum state and problems. */
export function SegmentTable({ rows, canVerify, onVerifyFile }: SegmentTableProps) {
  return (
    <table className="data-table segment-table">
      <caption className="visually-hidden">Segment files</caption>
      <thead>
        <tr>
          <th scope="col">File</th>
          <th scope="col">State</th>
          <th scope="col" className="num">
            Size
          </th>
          <th scope="col">Sequences</th>
          <th scope="col">Time range (UTC)</th>
          <th scope="col" className="num">
            Records
          </th>
          <th scope="col">Checksum</th>
          <th scope="col">Last verified</th>
          <th scope="col">
            <span className="visually-hidden">Actions</span>
          </th>
        </tr>
      </thead>
      <tbody>
        {rows.map((row) => (
          <Fragment key={row.name}>
            <SegmentRow row={row} canVerify={canVerify} onVerifyFile={onVerifyFile} />
            {row.problems.length > 0 && (
              <tr className="segment-table__problems">
                <td colSpan={COLUMN_COUNT}>
                  <ul aria-label={`Problems in ${row.name}`}>
                    {row.problems.map((problem) => (
                      <li key={`${problem.offset}:${problem.reason}`}>
                        At byte offset <span className="mono">{formatCount(problem.offset)}</span>:{' '}
                        {problem.reason}
                      </li>
                    ))}
                  </ul>
                </td>
              </tr>
            )}
          </Fragment>
        ))}
      </tbody>
    </table>
  )
}

interface SegmentRowProps {
  row: FileRow
  canVerify: boolean
  onVerifyFile: (name: string) => void
}

function SegmentRow({ row, canVerify, onVerifyFile }: SegmentRowProps) {
  const { segment, progress } = row
  return (
    <tr>
      <th scope="row">
        <FileName name={row.name} />
      </th>
      <td>{segment === null ? UNKNOWN : segmentState(segment.active, segment.compressed)}</td>
      <td className="num">{formatBytes(segment?.bytes ?? null)}</td>
      <td>
        {formatRange(segment?.first_sequence ?? null, segment?.last_sequence ?? null, formatCount)}
      </td>
      <td className="mono segment-table__times">
        <TimeRange
          first={segment?.first_timestamp ?? null}
          last={segment?.last_timestamp ?? null}
        />
      </td>
      <td className="num">{formatCount(segment?.records ?? null)}</td>
      <td>
        <StatusBadge {...checksumBadge(row.status)} />
        {progress !== null && row.status === 'verifying' && (
          <ProgressBar
            label={`Verification progress of ${row.name}`}
            value={progress.bytes_done}
            max={progress.bytes}
            tone="busy"
            detail={`${formatBytes(progress.bytes_done)} of ${formatBytes(progress.bytes)}`}
          />
        )}
      </td>
      <td>{segment?.last_verified_at ? formatTime(segment.last_verified_at) : 'never'}</td>
      <td>
        {segment !== null && (
          <button
            type="button"
            aria-label={`Verify ${row.name}`}
            disabled={!canVerify}
            onClick={() => onVerifyFile(row.name)}
          >
            Verify
          </button>
        )}
      </td>
    </tr>
  )
}

/**
 * TimeRange shows a segment's first and last time, the date once when both share it. It
 * may break only after the dash, never inside a time or before the dash, so a narrow
 * column shows two lines of one time each.
 */
function TimeRange({ first, last }: { first: string | null; last: string | null }) {
  if (first === null || last === null) return formatRange(first, last, formatTime)
  const [from, to] = [formatTime(first), formatTime(last)]
  const sameDay = from.slice(0, 10) === to.slice(0, 10)
  return (
    <>
      <span>{from} –</span> <span>{sameDay ? to.slice(11) : to}</span>
    </>
  )
}

function segmentState(active: boolean, compressed: boolean): string {
  const state = active ? 'Active' : 'Sealed'
  return compressed ? `${state}, compressed` : state
}
