import type { StoredEvent } from '../../../../shared/event'
import { useAppState, useInspector } from '../../state/InspectorContext'
import { LIVE_ROWS_MAX } from '../../state/liveSlice'
import {
  selectCurrentStore,
  selectNewWhilePaused,
  selectUnseenCount,
  selectVisibleRows,
} from '../../state/selectors'
import { formatCount } from '../common/format'
import { EventDetail } from '../detail/EventDetail'
import { LiveFilterBar } from './LiveFilterBar'
import { LiveTable } from './LiveTable'
import '../common/common.css'
import './live.css'

const END_REASONS = {
  closed: 'the subscription was closed',
  store_closed: 'the store was closed',
  overflow: 'the page fell behind the store and the host stopped sending',
  error: 'the host reported an error',
} as const

/** LiveView streams the shown store's new events, with the selected event's detail beside. */
export function LiveView() {
  const inspector = useInspector()
  const store = useAppState(selectCurrentStore)
  const rows = useAppState(selectVisibleRows)
  const live = useAppState((state) => state.live)
  const unseen = useAppState(selectUnseenCount)
  const newWhilePaused = useAppState(selectNewWhilePaused)
  const selected = useAppState((state) => state.selection.event)
  if (store === null) {
    return (
      <section className="view live-view" aria-label="Live">
        <p className="muted">Open a store on the Start view to watch its events.</p>
      </section>
    )
  }
  const paused = live.paused !== null
  const select = (event: StoredEvent) => inspector.select(event)
  return (
    <section className="view live-view" aria-labelledby="live-view-title">
      <div className="live-view__toolbar">
        <h2 id="live-view-title">Live</h2>
        <LiveFilterBar
          filter={live.filter}
          onApply={(filter) => void inspector.setLiveFilter(filter)}
        />
        <button
          type="button"
          aria-pressed={paused}
          onClick={() => (paused ? inspector.resume() : inspector.pause())}
        >
          {paused ? 'Resume' : 'Pause'}
        </button>
      </div>
      <p className="live-view__status" role="status">
        {paused
          ? `Paused · ${formatCount(newWhilePaused)} new since pausing`
          : `${formatCount(live.received)} events received`}
      </p>
      {live.dropped > 0 && (
        <p className="live-view__note">
          Showing the newest {formatCount(LIVE_ROWS_MAX)} rows: {formatCount(live.dropped)} older
          rows were dropped from view. Use Query to read them.
        </p>
      )}
      {live.status === 'ended' && (
        <p className="live-view__note" role="alert">
          The live stream stopped: {END_REASONS[live.endReason ?? 'error']}.{' '}
          <button type="button" onClick={() => void inspector.setLiveFilter(live.filter)}>
            Restart the stream
          </button>
        </p>
      )}
      <div className="live-view__body">
        <div className="live-view__list">
          <LiveTable
            rows={rows}
            selectedSequence={selected?.sequence ?? null}
            following={live.following}
            onFollowingChange={(following) => inspector.setFollowing(following)}
            onSelect={select}
          />
          {unseen > 0 && (
            <button
              type="button"
              className="live-view__unseen primary"
              onClick={() => inspector.setFollowing(true)}
            >
              {formatCount(unseen)} new ↓
            </button>
          )}
        </div>
        {selected !== null && <EventDetail event={selected} handle={store.handle} />}
      </div>
    </section>
  )
}
