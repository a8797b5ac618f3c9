import { StatusBadge } from '../views/common/StatusBadge'
import { formatBytes, formatCount, formatRange } from '../views/common/format'
import { selectCurrentStore } from '../state/selectors'
import { useAppState, useAppStateThrottled } from '../state/InspectorContext'
import { LIVE_REFRESH_MS } from '../state/liveSlice'
import { storeFigures } from '../state/paceSlice'
import { modeBadge, slaBadge } from '../state/storeBadges'

/**
 * StoreHeader summarizes the shown store: where it is, its two badges and its figures. The
 * counts move with the pushes between the host's summaries, redrawn a few times a second.
 */
export function StoreHeader() {
  const store = useAppState(selectCurrentStore)
  const pace = useAppStateThrottled((state) => state.pace, LIVE_REFRESH_MS)
  if (store === null) {
    return (
      <header className="store-header" aria-label="Store">
        <span className="muted">No store open</span>
      </header>
    )
  }
  const mode = modeBadge(store)
  const sla = slaBadge(store.sla_level)
  const counts = storeFigures(store, pace)
  const figures: [string, string][] = [
    ['Sequences', formatRange(counts.firstSequence, counts.lastSequence, formatCount)],
    ['Events', formatCount(counts.eventCount)],
    ['Size', formatBytes(store.bytes)],
    ['Segments', formatCount(store.segments)],
    ['Append rate', `${formatCount(Math.round(counts.appendRate))} ev/s`],
  ]
  return (
    <header className="store-header" aria-label="Store">
      <div className="store-header__title">
        <h1 className="store-header__name">{store.name}</h1>
        <span className="store-header__path mono" title={store.path}>
          {store.path}
        </span>
        <StatusBadge tone={mode.tone} label={mode.label} title={mode.title} />
        <StatusBadge tone={sla.tone} label={sla.label} title={sla.title} />
      </div>
      <dl className="store-header__figures">
        {figures.map(([term, value]) => (
          <div key={term}>
            <dt>{term}</dt>
            <dd>{value}</dd>
          </div>
        ))}
      </dl>
    </header>
  )
}
