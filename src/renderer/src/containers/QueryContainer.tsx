import { useRef, useState } from 'react'
import type { EventQuery, QueryResult } from '../../../shared/query'
import type { StoreSummary } from '../../../shared/storeApi'
import { useAppState, useInspector } from '../state/InspectorContext'
import { selectCurrentStore } from '../state/selectors'
import { EventDetail } from '../views/detail/EventDetail'
import { QueryView } from '../views/query/QueryView'
import { NoStore } from './NoStore'

/** QueryContainer runs the Query view's queries and shows a picked event's detail beside. */
export function QueryContainer() {
  const store = useAppState(selectCurrentStore)
  return store === null ? <NoStore view="Query" /> : <ShownStoreQuery store={store} />
}

function ShownStoreQuery({ store }: { store: StoreSummary }) {
  const inspector = useInspector()
  const { api } = inspector
  const { handle } = store
  const initialFilter = useAppState((state) => state.navigation.queryFilter ?? undefined)
  const selected = useAppState((state) => state.selection.event)
  const [result, setResult] = useState<QueryResult | null>(null)
  const [loading, setLoading] = useState(false)
  const [error, setError] = useState<string | null>(null)
  // Only the newest query may answer: a slow earlier page must not replace a later one.
  const latestRun = useRef(0)

  const run = (query: EventQuery) => {
    const runId = ++latestRun.current
    setLoading(true)
    void api.query({ handle, query }).then((answer) => {
      if (runId !== latestRun.current) return
      setLoading(false)
      setResult(answer.ok ? answer.value : null)
      setError(answer.ok ? null : answer.error.message)
    })
  }
  const selectEvent = (sequence: number) => {
    void api.getEvent({ handle, sequence }).then((answer) => {
      if (answer.ok) inspector.select(answer.value)
      else inspector.reportError({ ...answer.error, action: `Reading event ${sequence}` })
    })
  }

  return (
    <div className="query-container">
      <QueryView
        result={result}
        loading={loading}
        error={error}
        initialFilter={initialFilter}
        onRun={run}
        onSelectEvent={selectEvent}
      />
      {selected !== null && <EventDetail event={selected} handle={handle} />}
    </div>
  )
}
