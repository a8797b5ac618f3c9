import { formatCount } from '../common/format'

export interface QueryPagerProps {
  /** 1-based page number. */
  page: number
  pageSize: number
  shown: number
  totalCount: number
  canGoBack: boolean
  canGoForward: boolean
  onPrevious: () => void
  onNext: () => void
}

/** QueryPager keeps both directions visible; an end disables its button, never hides it. */
export function QueryPager(props: QueryPagerProps) {
  const { page, pageSize, shown, totalCount, canGoBack, canGoForward } = props
  const first = (page - 1) * pageSize + 1
  const position =
    shown === 0
      ? `Page ${page}: no events`
      : `Page ${page}: events ${formatCount(first)}–${formatCount(first + shown - 1)} of ${formatCount(totalCount)}`
  return (
    <nav className="query-pager" aria-label="Result pages">
      <button type="button" disabled={!canGoBack} onClick={props.onPrevious}>
        ← Previous page
      </button>
      <span role="status">{position}</span>
      <button type="button" disabled={!canGoForward} onClick={props.onNext}>
        Next page →
      </button>
    </nav>
  )
}
