import { useEffect, useEffectEvent, useMemo, useState } from 'react'
import type { EventFilter, EventQuery, QueryResult } from '../../../../shared/query'
import { downloadText } from '../common/downloadText'
import { QueryFilterForm } from './QueryFilterForm'
import { QueryPager } from './QueryPager'
import { QueryPlanSummary } from './QueryPlanSummary'
import { QueryResultsTable } from './QueryResultsTable'
import { toCsv, toNdjson } from './exportResults'
import { buildQuery, formFromFilter, type QueryForm } from './queryForm'
import '../common/common.css'
import './query.css'

export interface QueryViewProps {
  /** The answer to the last `onRun` call; null before the first. */
  result: QueryResult | null
  /** True while a query is in flight: Run and paging wait for it. */
  loading: boolean
  /** Why the last query failed, as a sentence; null when it did not. */
  error: string | null
  /**
   * Prefills the form and runs it, e.g. from the event detail's causality links. Compared
   * by value, so a new object with the same filter does not run it again.
   */
  initialFilter?: EventFilter
  /** Runs a query; the container answers through `result`, `loading` and `error`. */
  onRun: (query: EventQuery) => void
  onSelectEvent: (sequence: number) => void
}

/**
 * The pages visited in the current run: the query as run, and the cursor that fetched each
 * page (undefined for the first). Cursors only lead forward, so going back re-runs the
 * cursor one below the top of this stack. A new Run starts a new stack.
 */
interface PageTrail {
  query: EventQuery
  cursors: (string | undefined)[]
}

/** QueryView is the filter builder, the paged results with their plan, and export. */
export function QueryView({
  result,
  loading,
  error,
  initialFilter,
  onRun,
  onSelectEvent,
}: QueryViewProps) {
  const [form, setForm] = useState<QueryForm>(() => formFromFilter(initialFilter))
  const [trail, setTrail] = useState<PageTrail | null>(null)
  const { query, errors } = useMemo(() => buildQuery(form), [form])

  const runPage = (next: PageTrail) => {
    setTrail(next)
    const cursor = next.cursors.at(-1)
    onRun(cursor === undefined ? next.query : { ...next.query, cursor })
  }
  const runFromStart = (built: EventQuery) => runPage({ query: built, cursors: [undefined] })

  const runInitialFilter = useEffectEvent((filterJson: string) => {
    const prefilled = formFromFilter(JSON.parse(filterJson) as EventFilter)
    setForm(prefilled)
    const built = buildQuery(prefilled)
    if (Object.keys(built.errors).length === 0) runFromStart(built.query)
  })
  const initialFilterJson = initialFilter === undefined ? null : JSON.stringify(initialFilter)
  useEffect(() => {
    if (initialFilterJson !== null) runInitialFilter(initialFilterJson)
  }, [initialFilterJson])

  const page = trail?.cursors.length ?? 1
  const events = result?.events ?? []
  const exportName = `lighthouse-query-page-${page}`

  return (
    <section className="view query-view" aria-labelledby="query-view-title">
      <h2 id="query-view-title">Query</h2>
      <QueryFilterForm
        form={form}
        errors={errors}
        onChange={setForm}
        onRun={() => runFromStart(query)}
        onReset={() => setForm(formFromFilter())}
        running={loading}
      />
      {error !== null && (
        <p role="alert" className="error-text">
          {error}
        </p>
      )}
      {result !== null && trail !== null && (
        <div className="query-view__results" aria-busy={loading}>
          <QueryPlanSummary result={result} />
          <div className="query-view__toolbar">
            <QueryPager
              page={page}
              pageSize={trail.query.limit ?? events.length}
              shown={events.length}
              totalCount={result.total_count}
              canGoBack={!loading && page > 1}
              canGoForward={!loading && result.has_more && result.next_cursor !== null}
              onPrevious={() => runPage({ ...trail, cursors: trail.cursors.slice(0, -1) })}
              onNext={() =>
                runPage({ ...trail, cursors: [...trail.cursors, result.next_cursor ?? undefined] })
              }
            />
            <div className="query-view__export" role="group" aria-label="Export this page">
              <button
                type="button"
                disabled={events.length === 0}
                onClick={() =>
                  downloadText(`${exportName}.ndjson`, toNdjson(events), 'application/x-ndjson')
                }
              >
                Export NDJSON
              </button>
              <button
                type="button"
                disabled={events.length === 0}
                onClick={() => downloadText(`${exportName}.csv`, toCsv(events), 'text/csv')}
              >
                Export CSV
              </button>
            </div>
          </div>
          <QueryResultsTable events={events} onSelectEvent={onSelectEvent} />
        </div>
      )}
    </section>
  )
}
